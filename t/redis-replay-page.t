#!/usr/bin/perl

# The stream replayed after the subscriber reconnects moves past the last
# entry of every page, even a full page of entries it skips (malformed):
# a few XRANGEs, the entries after them applied.  A page that does not
# move the position at all (a server that answers the same entries) ends
# the replay, logged once, instead of asking the same XRANGE for ever.  A
# server that refuses the stream (an ACL user without XRANGE) is said once
# per replay, not passed over in silence.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);
use ArticleTest;
use FakeRedis;

my $t = ArticleTest->new;
my $d = $t->dir;

$t->write_file('arts/k2-500.txt', "title: Before\n");
$t->write_file('arts/k2-1500.txt', "title: After\n");
$t->write_file('page.html', "page\n");

my $skip = FakeRedis->new(port => $t->port('skip'), mode => 'stream',
                          cmdlog => "$d/skip.cmd", log => "$d/skip.log");
my $stuck = FakeRedis->new(port => $t->port('stuck'), mode => 'streamstuck',
                           cmdlog => "$d/stuck.cmd", log => "$d/stuck.log");
my $noperm = FakeRedis->new(port => $t->port('noperm'),
                            mode => 'streamnoperm');

$t->write_config(<<'EOF');
    article_map skip {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_skip%%;
        redis_timeout 500ms;
    }

    article_map stuck {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_stuck%%;
        redis_timeout 500ms;
    }

    article_map noperm {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_noperm%%;
        redis_timeout 500ms;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/skip/(?<id>[^/]+)$ {
            article skip $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
        }
    }
EOF

sub xranges {
    my ($f) = @_;
    open my $fh, '<', "$d/$f.cmd" or return 0;
    return scalar grep { /^XRANGE$/ } <$fh>;
}

$t->run;

is($t->get('/skip/k2-1500')->{headers}{'x-title'}, 'After',
   'a file record, before the replay');

# each fake closes the first subscriber 1.5 s after it subscribed: the
# subscriber reconnects and the stream is replayed
ok($t->wait_for(15, sub { xranges('skip') >= 3 }), 'replayed: 3 pages');
ok($t->wait_for(15, sub {
       $t->log_lines(qr/article_map "stuck": .*does not move/) }),
   'a page that moves nothing: said so');

# what would be a loop has had time to show
sleep 1;

is(xranges('skip'), 3,
   'a full page skipped, then the next pages: 3 XRANGEs, no more');
cmp_ok(xranges('stuck'), '<=', 2, 'the same page again: the replay ends')
    or diag(xranges('stuck') . ' XRANGEs');
is(scalar $t->log_lines(qr/does not move/), 1, 'logged once');

# the first position (XREVRANGE) and the replay (XREVRANGE again: no
# position was learnt) refused: one line each, naming the error code
ok($t->wait_for(10, sub { $t->log_lines(qr/\[warn\].*article_map "noperm": redis 127\.0\.0\.1:\d+ refuses XREVRANGE of the stream \(NOPERM\): invalidations made while the subscriber was away may be missed/) >= 2 }),
   'the stream refused: said, once each time it is asked');

is($t->get('/skip/k2-1500')->{headers}{'x-title'} // '', '',
   'an entry after the skipped page: invalidated');
is($t->get('/skip/k2-500')->{headers}{'x-title'}, 'Before',
   'a malformed entry: skipped');

$skip->stop;
$stuck->stop;

$t->done;
