#!/usr/bin/perl

# redis_auth_file and redis_db against a real redis-server: a password
# (requirepass), an ACL user limited to ~article:* and the commands the
# tier needs, a wrong password (one "AUTH failed" line per back-off, not
# retried faster), a missing or malformed file (nginx -t fails naming the
# file).  The secret is in no log line and not on the status page.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(sleep);
use ArticleTest;

my $SECRET = 'Sekr3t-pw-4711';
my $USERPW = 'Us3r-pw-0815';
my $WRONG = 'wr0ng-pw-1234';

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");
$t->write_file('pw', "$SECRET\n");
$t->write_file('user-pw', "art $USERPW\n");
$t->write_file('wrong-pw', "$WRONG\n");
$t->write_file('bad-pw', "one two three\n");

sub config {
    my ($auth, $extra) = @_;

    $t->write_config(<<"EOF");
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 300ms;
        $auth
        $extra
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)\$ {
            article news \$id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title \$article_title always;
        }

        location = /status {
            article_status;
        }
    }
EOF
}

# a command as USER (or the default user) with PASSWORD, in DB
sub redis_as {
    my ($user, $pw, $db, @args) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1:'
                                  . $t->port('redis')) or return;
    my @cmds = ([ 'AUTH', defined $user ? $user : (), $pw ]);
    push @cmds, [ 'SELECT', $db ] if $db;
    push @cmds, \@args;

    my $reply;
    for my $c (@cmds) {
        print $s '*' . @$c . "\r\n" . join('', map { '$' . length($_)
                                                     . "\r\n$_\r\n" } @$c);
        $reply = <$s>;
        if ($reply =~ /^\$(\d+)/) {
            read $s, my $data, $1 + 2;
            $reply .= $data;
        }
    }

    close $s;
    return $reply;
}

sub title { $t->get($_[0], timeout => 3)->{headers}{'x-title'} // '' }

# the file is checked when the configuration loads

config('redis_auth_file missing-pw;');
my ($rc, $out) = $t->test_config;
isnt($rc, 0, 'missing file: nginx -t fails');
like($out, qr/redis_auth_file "[^"]*missing-pw": cannot be opened/,
     'missing file: named');

config('redis_auth_file bad-pw;');
($rc, $out) = $t->test_config;
isnt($rc, 0, 'three words: nginx -t fails');
like($out, qr/redis_auth_file "[^"]*bad-pw": "PASSWORD" or "USERNAME PASSWORD"/,
     'three words: named, and what is expected');
unlike($out, qr/one|two|three/, 'three words: none of them said');

# requirepass, and redis_db

$t->start_redis(args => [ '--requirepass', $SECRET ]);

config('redis_auth_file pw;', 'redis_db 3;');
$t->run;

redis_as(undef, $SECRET, 3, 'SET', 'article:k', "title: In db 3\n");
redis_as(undef, $SECRET, 0, 'SET', 'article:k', "title: In db 0\n");
ok($t->wait_for(3, sub { title('/a/k') eq 'In db 3' }),
   'requirepass: authenticated, and db 3 selected');

redis_as(undef, $SECRET, 3, 'SET', 'article:k', "title: Changed\n");
redis_as(undef, $SECRET, 3, 'PUBLISH', 'article:invalidate', 'k');
ok($t->wait_for(2, sub { title('/a/k') eq 'Changed' }),
   'requirepass: the subscriber authenticated too');

$t->stop;
$t->stop_redis;

# an ACL user limited to the prefix and the commands of the tier

$t->write_file('users.acl', <<"EOF");
user default off
user art on >$USERPW ~article:* resetchannels &article:invalidate &__redis__:invalidate -\@all +get +ping +auth +select +subscribe +client|id +client|tracking +xrange +xrevrange
user admin on >$SECRET ~* &* +\@all
EOF
$t->start_redis(args => [ '--aclfile', $t->dir . '/users.acl' ]);

config('redis_auth_file user-pw;');
$t->run;

redis_as('admin', $SECRET, 0, 'SET', 'article:u', "title: ACL user\n");
ok($t->wait_for(3, sub { title('/a/u') eq 'ACL user' }),
   'ACL user: authenticated with USERNAME PASSWORD');

redis_as('admin', $SECRET, 0, 'SET', 'article:u', "title: ACL changed\n");
redis_as('admin', $SECRET, 0, 'PUBLISH', 'article:invalidate', 'u');
ok($t->wait_for(2, sub { title('/a/u') eq 'ACL changed' }),
   'ACL user: subscribed');

is(scalar $t->log_lines(qr/article_map "news": redis \S+ failed/), 0,
   'ACL user: the tier needs no command it is denied');

$t->stop;

# a wrong password: one line per back-off, not retried faster

config('redis_auth_file wrong-pw;');
my $mark = length $t->error_log;
$t->run;

sleep 4;
my @auth = grep { /article_map "news": redis AUTH failed: WRONGPASS/ }
           split /\n/, substr($t->error_log, $mark);
cmp_ok(scalar @auth, '>=', 1, 'wrong password: "AUTH failed" logged');
cmp_ok(scalar @auth, '<=', 3, 'wrong password: once per back-off (1+2 s)')
    or diag(join "\n", @auth);
like($auth[0] // '', qr/127\.0\.0\.1:\d+/, 'wrong password: the address');

is(title('/a/u'), '', 'wrong password: requests answered without Redis');
is($t->get('/a/file')->{headers}{'x-title'}, 'From a file',
   'wrong password: file records served');

my $status = $t->get('/status')->{content};
like($status, qr/"connected_workers": 0/, 'wrong password: not connected');

# no secret anywhere

my $all = $status . $t->error_log
          . join('', map { $t->read_file($_) } qw(redis.log));
for my $secret ($SECRET, $USERPW, $WRONG) {
    unlike($all, qr/\Q$secret\E/, 'the secret is in no log and no status');
}

$t->done(allow => qr{\[emerg\].*redis_auth_file "[^"]*(missing|bad)-pw"});
