#!/usr/bin/perl

# "strict on": a source file with any problem (syntax error, bad field,
# duplicate key) fails "nginx -t", start and reload, and the emerg line names
# FILE:LINE:COL; with "strict off" the same file is only a warning and is
# skipped.  Unpublished records are not problems.  A failed reload keeps the
# old generation serving.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);
use IO::Socket::INET;
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

sub config {
    my ($maps) = @_;

    $t->write_config($maps . <<'EOF');
    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/(?<map>\w+)/(?<id>.+)$ {
            article strict_one $id;
            return 200 "found=$article_found title=$article_title";
        }
    }
EOF
}

$t->write_file('good/a.txt', "title: Good A\n");
$t->write_file('good/b.txt', "title: Good B\npublished: false\n");
$t->write_file('bad/a.txt', "title: Good A\n");
$t->write_file('bad/bad.txt', "excerpt: x\ntitle: ~\n");
$t->write_file('badurl/a.txt', "title: Bad URL\nwebUrl: /relative\n");
$t->write_file('syntax/a.txt', "title: Syntax\ntopics: [a, b\n");
$t->write_file('dup/a.txt', "title: Dup A\nslug: s\n");
$t->write_file('dup/b.txt', "title: Dup B\nslug: s\n");

###############################################################################
# strict on, a file whose title is null: nginx -t fails and names the place

config(<<'EOF');
    article_map strict_one {
        source bad/*.txt;
        strict on;
    }
EOF

my ($rc, $out) = $t->test_config;
isnt($rc, 0, 'strict on, null title: nginx -t fails');
like($out, qr/\[emerg\] article_map "strict_one": \Q$dir\E\/bad\/bad\.txt:2:8: "title" is null$/m,
     'the emerg line names FILE:LINE:COL and the problem');
like($out, qr/\[emerg\] article_map "strict_one": 1 problem\(s\) in its sources and "strict" is on/,
     'and says that strict is on');
like($out, qr/test failed/, 'nginx -t: test failed');

###############################################################################
# the same with strict off: a warning, the test passes, the file is skipped

config(<<'EOF');
    article_map strict_one {
        source bad/*.txt;
        strict off;
    }
EOF

($rc, $out) = $t->test_config;
is($rc, 0, 'strict off: nginx -t passes');
like($out, qr/\[warn\] article_map "strict_one": \Q$dir\E\/bad\/bad\.txt:2:8: "title" is null$/m,
     'strict off: the same problem is a warning');
unlike($out, qr/\[emerg\]/, 'strict off: no emerg');

# the default is off
config(<<'EOF');
    article_map strict_one {
        source bad/*.txt;
    }
EOF

($rc, $out) = $t->test_config;
is($rc, 0, 'strict by default off: nginx -t passes');

###############################################################################
# strict on: an invalid URL (the record itself is usable) fails too

config(<<'EOF');
    article_map strict_one {
        source badurl/*.txt;
        strict on;
    }
EOF

($rc, $out) = $t->test_config;
isnt($rc, 0, 'strict on, invalid webUrl: nginx -t fails');
like($out, qr/\[emerg\] article_map "strict_one": \Q$dir\E\/badurl\/a\.txt:2:9: "webUrl" is not an absolute http or https URL$/m,
     'invalid webUrl named');

###############################################################################
# strict on: a syntax error

config(<<'EOF');
    article_map strict_one {
        source syntax/*.txt;
        strict on;
    }
EOF

($rc, $out) = $t->test_config;
isnt($rc, 0, 'strict on, syntax error: nginx -t fails');
like($out, qr/\[emerg\] article_map "strict_one": \Q$dir\E\/syntax\/a\.txt:3:1: syntax error: did not find expected ',' or '\]' while parsing a flow sequence$/m,
     'syntax error named');

###############################################################################
# strict on: a duplicate key

config(<<'EOF');
    article_map strict_one {
        source dup/*.txt;
        index field slug;
        strict on;
    }
EOF

($rc, $out) = $t->test_config;
isnt($rc, 0, 'strict on, duplicate key: nginx -t fails');
like($out, qr/\[emerg\] article_map "strict_one": \Q$dir\E\/dup\/b\.txt:1:1: duplicate key "s", already loaded from \Q$dir\E\/dup\/a\.txt$/m,
     'duplicate named with both files');

###############################################################################
# strict on, and nginx does not start either

config(<<'EOF');
    article_map strict_one {
        source bad/*.txt;
        strict on;
    }
EOF

$t->run(may_fail => 1);
ok(!$t->{running}, 'strict on, bad file: nginx exits with an error');
ok(!IO::Socket::INET->new(PeerAddr => '127.0.0.1:' . $t->port('8080')),
   'and does not listen');

###############################################################################
# strict on, with an unpublished record and a lax map with a bad file:
# passes, starts, serves

config(<<'EOF');
    article_map strict_one {
        source good/*.txt;
        strict on;
    }

    article_map lax {
        source bad/*.txt;
    }
EOF

($rc, $out) = $t->test_config;
is($rc, 0, 'strict on, unpublished record, other map lax: nginx -t passes')
    or diag($out);
like($out, qr/\[warn\] article_map "lax": \Q$dir\E\/bad\/bad\.txt:2:8: "title" is null$/m,
     'the lax map warns');
unlike($out, qr/article_map "strict_one": \//, 'nothing logged for the strict map');

$t->run;

is($t->get('/s/a')->{content}, 'found=1 title=Good A', 'strict map serves');
is($t->get('/s/b')->{content}, 'found= title=', 'unpublished is not served');

###############################################################################
# strict on at reload: a new bad file fails the reload, the old generation
# keeps serving and the new good file is not seen

$t->write_file('good/c.txt', "title: Good C\n");
$t->write_file('good/d.txt', "title:\n  - not a scalar\n");

my @workers = $t->worker_pids;
kill 'HUP', $t->master_pid;

my $seen;
for (1 .. 100) {
    last if $seen = grep { /\[emerg\].*good\/d\.txt:2:3: "title" is not a scalar/ }
        split /\n/, $t->error_log;
    sleep 0.05;
}
ok($seen, 'reload: the emerg line names the bad file');
sleep 0.2;

is_deeply([sort $t->worker_pids], [sort @workers],
          'reload failed: the same workers serve');
is($t->get('/s/a')->{content}, 'found=1 title=Good A', 'old record served');
is($t->get('/s/c')->{content}, 'found= title=',
   'the new good file is not loaded by a failed reload');

# fixed: the reload goes through

unlink "$dir/good/d.txt";
$t->reload;

is($t->get('/s/c')->{content}, 'found=1 title=Good C',
   'after the fix, a reload loads the new file');

$t->done(allow => qr/\[emerg\] \d+#\d+: article_map "strict_one": /);
