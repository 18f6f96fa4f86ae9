#!/usr/bin/perl

# redis_tracking (on by default): Redis itself names every key under the
# prefix that is written, deleted or expires, so a plain SET or DEL from
# another client (no PUBLISH) changes what every worker of two nginx
# instances serves within a second, file records included ("Redis is newer
# than files").  A flush drops the records from Redis and the absences,
# never file records.  A server that refuses tracking is logged once and
# the channel alone is used.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep time);
use ArticleTest;
use FakeRedis;

my $t = ArticleTest->new;
my $t2 = ArticleTest->new;

for my $tt ($t, $t2) {
    $tt->write_file('arts/fk.txt', "title: File record\n");
    $tt->write_file('arts/keep.txt', "title: Kept file\n");
    $tt->write_file('page.html', "page\n");
}

my $redis = $t->start_redis;
$t->port('fake');

my $conf = <<'EOF';
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:REDIS;
        cache_ttl 1h;
        negative_ttl 1h;
    }

    article_map old {
        source arts/*.txt;
        redis 127.0.0.1:FAKE;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
            add_header X-Pid $pid always;
        }

        location ~ ^/o/(?<id>[^/]+)$ {
            article old $id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title $article_title always;
        }

        location = /status {
            article_status;
        }
    }
EOF

$conf =~ s/REDIS/$redis/;
my $fake_port = $t->port('fake');
$conf =~ s/FAKE/$fake_port/;

my $fake = FakeRedis->new(port => $fake_port, mode => 'notrack',
                          log => $t->dir . '/fake.log');

$t->write_config($conf, workers => 2);
$t2->write_config($conf, workers => 2);
$t->run;
$t2->run;

# every worker of both instances serves WANT for /a/KEY
sub everywhere {
    my ($key, $want) = @_;

    for my $tt ($t, $t2) {
        my %pids;
        for (1 .. 12) {
            my $r = $tt->get("/a/$key", timeout => 2);
            return 0 if ($r->{headers}{'x-title'} // '') ne $want;
            $pids{$r->{headers}{'x-pid'}} = 1;
        }
        return 0 if keys %pids < 2;
    }

    return 1;
}

# within SECONDS everywhere
sub soon {
    my ($seconds, $key, $want) = @_;
    return $t->wait_for($seconds, sub { everywhere($key, $want) });
}

$t->redis('SET', 'article:k', "title: One\n");
ok(soon(5, 'k', 'One'), 'cached everywhere');

# tracking is on once both connections are: then a plain SET is enough
sleep 0.5;

$t->redis('SET', 'article:k', "title: Two\n");
ok(soon(1, 'k', 'Two'), 'a plain SET: every worker within a second');

$t->redis('DEL', 'article:k');
ok(soon(1, 'k', ''), 'a plain DEL: every worker within a second');

$t->redis('SET', 'article:k', "title: Three\n");
ok(soon(1, 'k', 'Three'), 'a SET after an absence: within a second');

ok(soon(2, 'fk', 'File record'), 'a file record');
$t->redis('SET', 'article:fk', "title: Newer in Redis\n");
ok(soon(1, 'fk', 'Newer in Redis'), 'a plain SET replaces a file record');

# a flush: records from Redis and absences go, file records stay
ok(soon(2, 'keep', 'Kept file'), 'another file record');
ok(soon(2, 'gone', ''), 'an absence remembered');
$t->redis('SET', 'article:gone', "title: Not asked\n");
sleep 0.5;
$t->redis('FLUSHALL');
ok($t->wait_for(2, sub {
       $t->get('/status')->{content} =~ /"redis_records": 0, "negative": 0/
   }), 'FLUSHALL: no record from Redis left, no absence');
ok(soon(1, 'keep', 'Kept file'), 'FLUSHALL: file records stay');
ok(soon(1, 'k', ''), 'FLUSHALL: records from Redis gone');
ok(scalar $t->log_lines(qr/article_map "news": redis \S+ was flushed/),
   'FLUSHALL: logged');

# a server that refuses tracking: once, and the channel works
my @refused = $t->log_lines(qr/article_map "old": redis \S+ refuses tracking/);
cmp_ok(scalar @refused, '>=', 1, 'refused tracking: logged');
cmp_ok(scalar @refused, '<=', 2, 'refused tracking: once per worker');
is($t->get('/o/fk')->{headers}{'x-title'}, 'File record',
   'refused tracking: serves');
is(scalar $t->log_lines(qr/article_map "old": redis \S+ failed/), 0,
   'refused tracking: no failure');

$fake->stop;
$t2->stop;
$t2->check_log;
$t->done;
