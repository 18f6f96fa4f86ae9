#!/usr/bin/perl

# The layout's seams, read from the sources (no nginx): redis/ is a
# transport that knows nothing of http (article-push* aside), and no two
# glue files (src/http/*.c) call each other, directly or round a loop.

use strict;
use warnings;

use Test::More;
use File::Basename qw(basename dirname);
use File::Spec;

my $root = File::Spec->rel2abs(dirname(__FILE__) . '/..');

sub slurp {
    my ($path) = @_;
    open(my $fh, '<', $path) or die "$path: $!";
    local $/;
    my $text = <$fh>;
    close($fh);
    return $text;
}

# comments and string literals out, lines kept
sub code {
    my ($text) = @_;
    $text =~ s{/\*.*?\*/}{my $c = $&; $c =~ tr/\n//cd; $c}gse;
    $text =~ s{//[^\n]*}{}g;
    $text =~ s{"(?:\\.|[^"\\\n])*"}{""}g;
    return $text;
}

my @http_headers = map { basename($_) } glob("$root/src/http/*.h");
ok(@http_headers, 'src/http has headers');

my @redis = grep { basename($_) !~ /^article-push/ }
            glob("$root/redis/*.c"), glob("$root/redis/*.h");
ok(@redis, 'redis/ has files');

for my $file (@redis) {
    my $name = basename($file);
    my $raw = slurp($file);
    my $text = code($raw);
    my @bad;

    while ($raw =~ /^\s*#\s*include\s*[<"]([^>"]+)[>"]/mg) {
        my $inc = $1;
        push @bad, "includes $inc"
            if grep { $_ eq basename($inc) } @http_headers, 'ngx_http.h';
    }

    while ($text =~ /\b(ngx_http_article_(?:cache|zone|request|wait)_\w+)/g) {
        push @bad, "names $1";
    }

    while ($text =~ /\b(ngx_http_article_(?:map|ctx|loc_conf|main_conf)_t|ngx_http_request_t)\b/g) {
        push @bad, "names $1";
    }

    ok(!@bad, "redis/$name knows nothing of http")
        or diag(join("\n", @bad));
}

# the glue: file A calls a function that file B defines

my @glue = sort glob("$root/src/http/*.c");
ok(@glue > 1, 'src/http has files');

my (%defined_in, %text);

for my $file (@glue) {
    my $name = basename($file);
    $text{$name} = code(slurp($file));

    # nginx style: the name of a function begins its line, "{" follows
    while ($text{$name} =~ /^(\w+)\([^;{]*?\)\s*\{/mg) {
        $defined_in{$1} = $name;
    }
}

my %calls;

for my $name (keys %text) {
    while ($text{$name} =~ /\b(\w+)\s*\(/g) {
        my $to = $defined_in{$1};
        next if !defined $to || $to eq $name;
        $calls{$name}{$to} //= $1;
    }
}

# a depth-first search: a file met again on the current path is a loop

my (%state, @path, $loop);

sub visit {
    my ($file) = @_;
    $state{$file} = 1;
    push @path, $file;

    for my $to (sort keys %{ $calls{$file} || {} }) {
        last if $loop;

        if (($state{$to} // 0) == 1) {
            my @at = grep { $path[$_] eq $to } 0 .. $#path;
            my @cycle = (@path[$at[0] .. $#path], $to);
            $loop = join(' -> ', map {
                        $_ < $#cycle
                        ? "$cycle[$_] ($calls{$cycle[$_]}{$cycle[$_ + 1]})"
                        : $cycle[$_]
                     } 0 .. $#cycle);
            last;
        }

        visit($to) if !$state{$to};
    }

    pop @path;
    $state{$file} = 2;
}

for my $file (sort keys %text) {
    last if $loop;
    visit($file) if !$state{$file};
}

ok(!$loop, 'no glue files call each other in a loop')
    or diag("calls in a loop: $loop");

done_testing();
