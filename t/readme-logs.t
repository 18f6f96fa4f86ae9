#!/usr/bin/perl

# README.md's table "What the log lines mean" names every line the module
# writes at warn or above.  The lines are found in the sources (src/,
# redis/, ngx_article_module.c): every ngx_log_error() at NGX_LOG_WARN,
# _ERR, _CRIT, _ALERT or _EMERG, and every ngx_conf_log_error() (what
# "nginx -t" says).  The format is the C string literals of the call,
# joined (they may span lines).  A line is documented when the table holds
# the first words of its fixed text: the format cut at its first
# conversion (%V, %s, ...) after dropping the common prefix
# 'article_map "%V": ', or, when that leaves fewer than 3 words, the
# longest run of literal text between conversions.  The words are compared
# with quotes, backquotes and backslashes dropped and spaces squeezed, at
# most the first 4 words, so a README cell that quotes the line with
# placeholders (FILE, N) still matches.  Lines made of conversions only
# ("%V") are skipped, and so are the exceptions listed in %ignore, each
# with its reason.
#
# Needs no nginx: it reads the sources and README.md only.

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Find qw(find);
use Test::More;

my $top = dirname(dirname(__FILE__)) || '.';
$top = "$top/.." if $top eq 't';

sub slurp {
    my ($f) = @_;
    open my $fh, '<', $f or die "$f: $!";
    local $/;
    return scalar <$fh>;
}

# the fixed texts that need no row of their own, and why
my %ignore = (
);

# nginx's macros for system call names, as nginx defines them on Linux
my %syscall = (
    ngx_open_file_n   => 'open()',
    ngx_fd_info_n     => 'fstat()',
    ngx_file_info_n   => 'stat()',
    ngx_read_fd_n     => 'read()',
    ngx_write_fd_n    => 'write()',
    ngx_rename_file_n => 'rename()',
    ngx_close_file_n  => 'close()',
    ngx_delete_file_n => 'unlink()',
);

my @files = ("$top/ngx_article_module.c");
find(sub { push @files, $File::Find::name if /\.c$/ },
     "$top/src", "$top/redis");

# article-push is a command-line tool: its messages go to its stderr
@files = grep { !m{/article-push[^/]*\.c$} && !m{/redis/push/} } @files;

sub normalize {
    my ($s) = @_;
    $s =~ s/\\[nt]/ /g;
    $s =~ s/[`"'\\]//g;
    $s =~ s/\s+/ /g;
    $s =~ s/^\s+|\s+$//g;
    return lc $s;
}

my @lines;
for my $f (sort @files) {
    my $src = slurp($f);
    (my $rel = $f) =~ s{^\Q$top\E/}{};

    while ($src =~ /\b(ngx_log_error\s*\(\s*NGX_LOG_(?:WARN|ERR|CRIT|ALERT
                        |EMERG)\b|ngx_conf_log_error\s*\()/gx)
    {
        my $start = $-[0];
        my $rest = substr($src, $+[0]);

        # the literals of the call: from its first string, while the next
        # token is another string (C concatenation) or one of nginx's
        # macros naming a system call (ngx_open_file_n is "open()")
        $rest =~ /"/g or next;
        pos($rest) = pos($rest) - 1;
        my $fmt = '';
        while ($rest =~ /\G\s*(?:"((?:[^"\\]|\\.)*)"|(ngx_\w+_n)\b)/gc) {
            $fmt .= defined $1 ? $1 : $syscall{$2} // "%s";
        }
        next if $fmt eq '';

        my $line = 1 + (substr($src, 0, $start) =~ tr/\n//);
        push @lines, { where => "$rel:$line", fmt => $fmt };
    }
}

cmp_ok(scalar @lines, '>=', 40, scalar(@lines) . ' log calls found');

# the table: from its heading to the next heading
my $readme = slurp("$top/README.md");
my ($table) = $readme =~ /^#+ What the log lines mean\n(.*?)(?=^#)/ms;
ok($table, 'README has "What the log lines mean"') or BAIL_OUT('no table');
my $text = normalize(join ' ',
                     grep { /^\|/ } split /\n/, $table);

for my $l (@lines) {
    my $fmt = $l->{fmt};
    $fmt =~ s/^article_map \\"%V\\": //;
    $fmt =~ s/^article_og: //;

    # pieces between conversions (%V %s %uz %*s %ui %d %O %M %%...)
    my @pieces = map { normalize($_) }
                 split /%(?:[-0-9.*]*[uxX]*[a-zA-Z]|%)/, $fmt;
    # a unit glued to a conversion ("%uzk") is no word of the text
    s/^[a-z] (?=\S)// for @pieces[1 .. $#pieces];
    my $first = $pieces[0] // '';
    my @w = split / /, $first;
    my $key;
    if (@w >= 3) {
        $key = join ' ', @w[0 .. ($#w < 3 ? $#w : 3)];
    } else {
        ($key) = sort { length $b <=> length $a } @pieces;
        @w = split / /, $key // '';
        $key = join ' ', @w[0 .. ($#w < 3 ? $#w : 3)] if @w;
    }

    if (!defined $key || $key !~ /[a-z]{2}/) {
        note("$l->{where}: \"$l->{fmt}\": no fixed text, skipped");
        next;
    }
    if ($ignore{$key}) {
        note("$l->{where}: \"$key\": $ignore{$key}");
        next;
    }

    ok(index($text, $key) >= 0,
       "$l->{where}: \"$key\" is in README's log table")
        or diag("the line: \"$l->{fmt}\"");
}

done_testing();
