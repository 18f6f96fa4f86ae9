#!/usr/bin/perl

# article_amp_retire and "index url": a record is also keyed by the path of
# its ampWebUrl while a location of its map retires AMP, and only then; a
# path equal to the key adds nothing; a clash with another record's key is
# a duplicate either way round; a reload that turns retiring on or off
# re-keys the records it keeps without parsing them, and a first load from
# a snapshot keys them as the configuration says; an invalidation of
# either key drops the record under both; a record from Redis is found
# under its AMP path when it was written under that key.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;
my $port = $t->port('8080');
my $site = "http://127.0.0.1:$port";

sub article {
    my ($title, $web, $amp, $more) = @_;
    return "title: $title\n"
        . (defined $web ? "webUrl: \"$site$web\"\n" : '')
        . (defined $amp ? "ampWebUrl: \"$amp\"\n" : '')
        . ($more // '');
}

$t->write_file('arts/a.txt', article('A', '/a/', "$site/a/amp/"));
$t->write_file('arts/b.txt', article('B', '/b/', "$site/amp/b/"));
$t->write_file('arts/q.txt', article('Q', '/q/', "$site/q/?amp=1"));
$t->write_file('arts/h.txt', article('H', '/h/', 'http://amp.example.com/h/'));
$t->write_file('arts/u.txt', article('U', '/u/', "$site/u/amp/",
                                     "published: false\n"));

# dups: 2's key is 1's AMP path, 3's AMP path is 1's key
$t->write_file('dups/1.txt', article('D1', '/x/d/', "$site/x/d/amp/"));
$t->write_file('dups/2.txt', article('D2', '/x/d/amp/', undef));
$t->write_file('dups/3.txt', article('D3', '/x/e/', "$site/x/d/"));

$t->write_file('html/page.html', "<html><head></head><body>p</body>\n");
mkdir "$dir/snap";

my $past = time - 100;
utime $past, $past, glob("$dir/arts/*.txt"), glob("$dir/dups/*.txt");

# a file whose inode changed less than 2 s before a load is read again
sleep 2.1;

$t->start_redis;

sub config {
    my ($retire) = @_;

    $t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        index url;
        snapshot snap/news.snap;
        redis 127.0.0.1:%%PORT_redis%%;
        negative_ttl 1s;
    }

    article_map dups {
        source dups/*.txt;
        index url;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location / {
            article news $uri;
            include retire.conf;
            add_header X-Found "$article_found" always;
            add_header X-Source "$article_source" always;
            root %%TESTDIR%%/html;
            try_files /page.html =404;
        }

        location /x/ {
            article dups $uri;
            include retire.conf;
            return 200 "$article_found|$article_title\n";
        }

        location = /probe {
            article news $arg_k;
            return 200 "$article_found|$article_title|$article_source\n";
        }

        location = /status {
            article_status;
        }
    }
EOF

    $t->write_file('retire.conf', "article_amp_retire $retire;\n");
}

sub probe {
    my ($k) = @_;
    my $c = $t->get("/probe?k=$k")->{content} // '';
    chomp $c;
    return $c;
}

sub last_load {
    my ($map) = @_;
    my @l = $t->log_lines(qr/article_map "$map": \d+ articles/);
    my ($a, $p, $r) = ($l[-1] // '')
        =~ /(\d+) articles, .* (\d+) parsed, (\d+) reused/;
    return [$a // -1, $p // -1, $r // -1];
}

sub dup_lines {
    return scalar $t->log_lines(qr/article_map "dups": .*duplicate key/);
}

###############################################################################
# no location retires AMP: AMP paths are not keys, nothing changes

config('off');
$t->run;

is(probe('/a/'), '1|A|shm', 'off: the canonical key');
is(probe('/a/amp/'), '||', 'off: the AMP path is no key');
is(probe('/amp/b/'), '||', 'off: nor a leading /amp/');
my $r = $t->get('/a/amp/');
is($r->{status}, 200, 'off: the AMP URL is not redirected');
is($r->{headers}{'x-found'} // '', '', 'off: and has no article');
is_deeply(last_load('news'), [4, 5, 0], 'off: 4 articles, 5 files parsed');
is(dup_lines(), 0, 'off: no duplicate in dups');
is($t->get('/x/d/amp/')->{content}, "1|D2\n", 'off: 2 has its own key');
is($t->get('/x/e/')->{content}, "1|D3\n", 'off: 3 too');
ok(-s "$dir/snap/news.snap", 'the snapshot is written');

###############################################################################
# a reload turns retiring on: the kept records are keyed by their AMP path

config('on');
$t->reload;

is_deeply(last_load('news'), [4, 0, 5],
          'on: the records are kept, none parsed');
is(probe('/a/amp/'), '1|A|shm', 'on: /a/amp/ finds A');
is(probe('/amp/b/'), '1|B|shm', 'on: /amp/b/ finds B');
is(probe('/u/amp/'), '||', 'on: an unpublished record has no AMP key');
is(probe('/u/'), '||', 'on: and is not served');

$r = $t->get('/a/amp/');
is($r->{status}, 301, 'on: /a/amp/ is 301');
is($r->{headers}{location}, "$site/a/", 'on: to webUrl');
ok(!exists $r->{headers}{vary}, 'on: no Vary');
is($t->get('/amp/b/')->{headers}{location}, "$site/b/",
   'on: /amp/b/ is 301 to /b/');
$r = $t->get('/q/?amp=1');
is($r->{status}, 301, 'on: the AMP query on the same path: 301');
is($r->{headers}{location}, "$site/q/", 'on: to /q/');
is($t->get('/a/')->{status}, 200, 'on: the canonical page is 200');
is($t->get('/h/')->{status}, 200, 'on: an AMP host: its path is the key, '
   . 'nothing added, the page is 200');

is(dup_lines(), 2, 'on: two duplicates in dups');
ok($t->log_lines(qr/\[warn\] .*article_map "dups": \Q$dir\E\/dups\/2\.txt:1:1: duplicate key "\/x\/d\/amp\/", already loaded from \Q$dir\E\/dups\/1\.txt/),
   'on: a key that is an AMP path already: duplicate');
ok($t->log_lines(qr/\[warn\] .*article_map "dups": \Q$dir\E\/dups\/3\.txt:1:1: duplicate key "\/x\/d\/", already loaded from \Q$dir\E\/dups\/1\.txt/),
   'on: an AMP path that is a key already: duplicate');
is($t->get('/x/d/amp/')->{content}, "1|D1\n",
   'on: /x/d/amp/ finds 1 by its AMP path');
is($t->get('/x/e/')->{content}, "|\n", 'on: 3 is skipped');
is(decode_json($t->get('/status')->{content})->{maps}{dups}{skipped_files},
   2, 'on: dups skipped 2 files');

###############################################################################
# invalidation of either key drops the record under both

$t->redis('PUBLISH', 'article:invalidate', '/a/');
ok($t->wait_for(10, sub { probe('/a/amp/') eq '||' }),
   'the canonical key invalidated: the AMP path finds nothing');
is(probe('/a/'), '||', 'nor the canonical key (Redis has none)');
$r = $t->get('/a/amp/');
is($r->{status}, 200, 'the AMP path stops redirecting');
is($r->{headers}{'x-found'} // '', '', 'and has no article');

$t->redis('PUBLISH', 'article:invalidate', '/amp/b/');
ok($t->wait_for(10, sub { probe('/b/') eq '||' }),
   'the AMP key invalidated: the canonical key finds nothing either');
is($t->get('/amp/b/')->{status}, 200, 'and /amp/b/ is not redirected');
is(probe('/q/'), '1|Q|shm', 'the other records stay');

###############################################################################
# a record from Redis: under its AMP path only where it was written so

my $yaml = article('R', '/r/', "$site/r/amp/");
$t->redis('SET', 'article:/r/amp/', $yaml);
$t->redis('SET', 'article:/s/', article('S', '/s/', "$site/s/amp/"));

$r = $t->get('/r/amp/');
is($r->{status}, 301, 'a Redis record written under its AMP path: 301');
is($r->{headers}{location}, "$site/r/", 'to its webUrl');
is($r->{headers}{'x-source'}, 'redis', 'from Redis');
is(probe('/s/'), '1|S|redis', 'a Redis record under its own key');
is(probe('/s/amp/'), '||', 'is not found under its AMP path');

# the status counter counted the file and the Redis 301s
my $st = decode_json($t->get('/status')->{content})->{maps};
is($st->{news}{retired}, 4, 'status: 4 retired in news');
is($st->{news}{redirects}, 0, 'status: no redirects');

###############################################################################
# a reload turns retiring off again: the AMP keys go

config('off');
$t->reload;

is_deeply(last_load('news'), [4, 0, 5], 'off again: nothing parsed');
is(probe('/a/'), '1|A|shm', 'off again: a reload drops the tombstones');
is(probe('/a/amp/'), '||', 'off again: the AMP path is no key');
is($t->get('/a/amp/')->{status}, 200, 'off again: no redirect');
is($t->get('/x/e/')->{content}, "1|D3\n", 'off again: 3 is loaded');
is(dup_lines(), 2, 'off again: no new duplicate');

###############################################################################
# a first load from the snapshot, retiring on: keyed as configured

$t->stop;
config('on');
$t->run;

is_deeply(last_load('news'), [4, 0, 5],
          'start from the snapshot: nothing parsed');
is(probe('/a/amp/'), '1|A|shm', 'snapshot records keyed by their AMP path');
is($t->get('/amp/b/')->{headers}{location}, "$site/b/",
   'and redirected');

$t->done;
