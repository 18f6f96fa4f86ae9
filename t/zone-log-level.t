#!/usr/bin/perl

# Debian's nginx.conf logs at "error": a load that skipped files or found
# problems says so in one "error" line per map, with the counts and the
# first file, as the per-problem lines are "warn".  A source whose directory
# does not exist is a problem (strict fails), an empty directory is not.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

sub conf_test {
    my ($map) = @_;

    $t->write_config(<<"EOF");
    article_map news {
$map
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
    }
EOF

    return $t->test_config;
}

sub summaries { my ($out) = @_; return scalar(() = $out =~ /\[error\]/g) }

$t->write_file('good/a.txt', "title: A\n");
$t->write_file('good/b.txt', "title: B\npublished: false\n");
$t->write_file('bad/a.txt', "title: A\n");
$t->write_file('bad/b.txt', "excerpt: x\ntitle: ~\n");
$t->write_file('bad/c.txt',
               "title: C\nwebUrl: /relative\nampWebUrl: ftp://x/\n");
$t->write_file('bad/d.txt', "title: D\n");
mkdir "$dir/empty";

# problems: the summary at "error"

my ($rc, $out) = conf_test("source bad/*.txt;");
is($rc, 0, 'problems, strict off: nginx -t passes') or diag($out);
like($out, qr/\[error\] article_map "news": 1 files skipped, 3 problems in 2 files, the first in "\Q$dir\E\/bad\/b\.txt"; each is logged at "warn" level$/m,
     'one error line: the counts and the first file');
is(summaries($out), 1, 'one error line only');
like($out, qr/\[warn\] article_map "news": \Q$dir\E\/bad\/b\.txt:2:8: "title" is null/,
     'the problem itself at warn');

# none: no summary

($rc, $out) = conf_test("source good/*.txt;");
is($rc, 0, 'no problem: nginx -t passes');
is(summaries($out), 0, 'no problem: no error line') or diag($out);

# a directory with no matching file: not a problem

($rc, $out) = conf_test("source empty/*.txt;\nstrict on;");
is($rc, 0, 'empty directory, strict on: nginx -t passes') or diag($out);
like($out, qr/\[warn\] article_map "news": source "\Q$dir\E\/empty\/\*\.txt" matches no files/,
     'empty directory: matches no files, at warn');
is(summaries($out), 0, 'empty directory: no error line');

# a directory that does not exist: a problem

($rc, $out) = conf_test("source good/*.txt;\nsource nowhere/*.txt;");
is($rc, 0, 'missing directory, strict off: nginx -t passes') or diag($out);
like($out, qr/\[warn\] article_map "news": source "\Q$dir\E\/nowhere\/\*\.txt": directory "\Q$dir\E\/nowhere" does not exist/,
     'missing directory: named at warn');
unlike($out, qr/nowhere.*matches no files/, 'not "matches no files"');
like($out, qr/\[error\] article_map "news": 0 files skipped, 1 problems in 1 files, the first in "\Q$dir\E\/nowhere\/\*\.txt"/,
     'missing directory: in the error line');

($rc, $out) = conf_test("source good/*.txt;\nsource nowhere/*.txt;\n"
                        . "strict on;");
isnt($rc, 0, 'missing directory, strict on: nginx -t fails');
like($out, qr/\[emerg\] article_map "news": source "\Q$dir\E\/nowhere\/\*\.txt": directory "\Q$dir\E\/nowhere" does not exist/,
     'strict on: the emerg line names it');

# a missing directory deeper than the wildcard's
($rc, $out) = conf_test("source nowhere/deeper/*/x.txt;");
like($out, qr/directory "\Q$dir\E\/nowhere\/deeper" does not exist/,
     'the directory before the first wildcard');

# a first load of many files, parsed by helpers: counted the same

for my $i (1 .. 1100) {
    $t->write_file(sprintf('many/%04d.txt', $i),
                   $i % 500 == 0 ? "title: ~\n" : "title: T$i\n");
}

($rc, $out) = conf_test("source many/*.txt;\nzone 32m;");
is($rc, 0, 'many files: nginx -t passes') or diag($out);
like($out, qr/\[error\] article_map "news": 2 files skipped, 2 problems in 2 files, the first in "\Q$dir\E\/many\/0500\.txt"/,
     'many files: the counts and the first file');

# a running nginx at Debian's level sees the line in its log

$t->write_config(<<'EOF');
    article_map news {
        source bad/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
    }
EOF

# the -t runs above wrote emerg lines to error.log
$t->write_file('error.log', '');
$t->run;
sub logged { $t->error_log . $t->read_file('nginx.out') }
like(logged(), qr/\[error\] article_map "news": 1 files skipped, 3 problems in 2 files/,
     'a start logs it too');
$t->reload;
my $n = () = logged() =~ /\[error\] article_map "news": 1 files skipped/g;
is($n, 2, 'and so does each reload');

$t->done;
