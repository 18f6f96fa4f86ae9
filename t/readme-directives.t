#!/usr/bin/perl

# README.md documents every directive: each name of the module's command
# tables (ngx_article_module.c, and the article_map block's own table in
# src/http/ngx_http_article_conf.c) has an entry in README.md's
# "Directives" section, "    Syntax:  NAME ...", followed (within the same
# entry, before the prose) by "Default:" and "Context:" lines.  A directive
# added to a table without its README entry fails here, naming it.
#
# Needs no nginx: it reads the sources and README.md only.

use strict;
use warnings;

use File::Basename qw(dirname);
use Test::More;

my $top = dirname(dirname(__FILE__)) || '.';
$top = "$top/.." if $top eq 't';

sub slurp {
    my ($f) = @_;
    open my $fh, '<', $f or die "$f: $!";
    local $/;
    return scalar <$fh>;
}

# names inside "ngx_command_t NAME[] = { ... ngx_null_command }" only:
# the files hold other ngx_string()s (types, variables)
my @names;
for my $f ("$top/ngx_article_module.c",
           "$top/src/http/ngx_http_article_conf.c")
{
    my $src = slurp($f);
    my $tables = 0;
    while ($src =~ /ngx_command_t\s+\w+\[\]\s*=\s*\{(.*?)ngx_null_command/sg) {
        my $t = $1;
        $tables++;
        push @names, $t =~ /\{\s*ngx_string\("([a-z0-9_]+)"\)/g;
    }
    ok($tables, "$f has a command table");
}

my %seen;
@names = grep { !$seen{$_}++ } @names;
cmp_ok(scalar @names, '>=', 30, scalar(@names) . ' directives found');

my @readme = split /\n/, slurp("$top/README.md");

# an entry: one or more "Syntax:" lines (a pair of directives may share
# one entry), then Default: and Context: before the first line that is
# neither indented nor empty
my %entry;
for (my $i = 0; $i < @readme; $i++) {
    next unless $readme[$i] =~ /^\s{4}Syntax:\s+([a-z0-9_]+)\b/;
    my @here = ($1);
    my %has;
    my $j = $i + 1;
    for (; $j < @readme && $readme[$j] =~ /^(\s{4}|$)/; $j++) {
        last if $readme[$j] eq '' && $has{Default} && $has{Context};
        if ($readme[$j] =~ /^\s{4}Syntax:\s+([a-z0-9_]+)\b/) {
            push @here, $1;
        } elsif ($readme[$j] =~ /^\s{4}(Default|Context):\s*\S/) {
            $has{$1} = 1;
        }
    }
    for my $n (@here) {
        $entry{$n} = { line => $i + 1, %has };
    }
    $i = $j - 1;
}

for my $n (@names) {
    my $e = $entry{$n};
    ok($e, "README has a Syntax: line for $n") or next;
    ok($e->{Default}, "$n (README line $e->{line}) has a Default: line");
    ok($e->{Context}, "$n (README line $e->{line}) has a Context: line");
}

# the README names no directive the module does not have
my %known = map { $_ => 1 } @names;
for my $n (sort keys %entry) {
    ok($known{$n}, "README's directive $n (line $entry{$n}{line}) exists");
}

done_testing();
