#!/usr/bin/perl

# A server that quotes a failed command's arguments back (redis-server 7
# with AUTH renamed away: "ERR unknown command 'AUTH', with args beginning
# with: 'SECRET'") never puts the password in the log: after AUTH only the
# error code and the auth file are logged.  A wrong password names the
# auth file; a Redis that wants a password when none is configured says to
# set redis_auth_file.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep);
use ArticleTest;
use FakeRedis;

my $SECRET = 'Qu0ted-Sekr3t-9876';

my $t = ArticleTest->new;

$t->write_file('arts/file.txt', "title: From a file\n");
$t->write_file('page.html', "page\n");
$t->write_file('pw', "$SECRET\n");

sub config {
    my ($auth) = @_;

    $t->write_config(<<"EOF2");
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
        redis_timeout 300ms;
        $auth
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)\$ {
            article news \$id;
            alias %%TESTDIR%%/page.html;
            add_header X-Title \$article_title always;
        }
    }
EOF2
}

# AUTH renamed away: the server quotes the password back

$t->start_redis(args => [ '--rename-command', 'AUTH', '' ]);
config('redis_auth_file pw;');
$t->run;

ok($t->wait_for(4, sub { scalar $t->log_lines(qr/redis AUTH failed/) }),
   'quoted: AUTH failed logged');
sleep 2.5;

my @auth = $t->log_lines(qr/redis AUTH failed/);
like($auth[0] // '', qr/AUTH failed: ERR\b/, 'quoted: the error code');
like($auth[0] // '', qr/redis_auth_file "[^"]*\/pw"/, 'quoted: the auth file');
unlike($auth[0] // '', qr/unknown command|with args/,
       'quoted: nothing of the text after the code');
unlike($t->error_log, qr/\Q$SECRET\E/, 'quoted: the secret is in no line');

$t->stop;
$t->stop_redis;

# a server that quotes the password with no space before it: the code is
# the capitals only (a rule of "no space" would keep the password)
{
    my $fake = FakeRedis->new(port => $t->port('redis'), mode => 'authquote');
    my $mark = length $t->error_log;
    $t->run;
    ok($t->wait_for(4, sub {
           substr($t->error_log, $mark) =~ /redis AUTH failed/ }),
       'quoted, no space: AUTH failed logged')
        or diag(substr($t->error_log, $mark));
    my ($line) = grep { /redis AUTH failed/ } split /\n/,
                 substr($t->error_log, $mark);
    like($line // '', qr/AUTH failed: ERR \(redis_auth_file /,
         'quoted, no space: the code alone');
    $t->stop;
    $fake->stop;
}

# a wrong password: the line names the auth file

$t->start_redis(args => [ '--requirepass', 'another-one' ]);
my $mark = length $t->error_log;
$t->run;

ok($t->wait_for(4, sub {
       substr($t->error_log, $mark) =~ /redis AUTH failed/ }),
   'wrong password: AUTH failed logged');
my ($wrong) = grep { /redis AUTH failed/ } split /\n/,
                   substr($t->error_log, $mark);
like($wrong // '', qr/AUTH failed: WRONGPASS \(redis_auth_file "[^"]*\/pw"\)/,
     'wrong password: the code and the auth file');

$t->stop;

# no password configured: the line says what to do

config('');
$mark = length $t->error_log;
$t->run;

ok($t->wait_for(4, sub { substr($t->error_log, $mark) =~ /redis PING failed/ }),
   'no password: PING failed logged');
like(substr($t->error_log, $mark),
     qr/redis PING failed: NOAUTH Authentication required\..*redis_auth_file/,
     'no password: set redis_auth_file, says the line');

$t->stop;
$t->stop_redis;

my $all = $t->error_log . $t->read_file('nginx.out')
          . $t->read_file('redis.log');
unlike($all, qr/\Q$SECRET\E/, 'the secret is in no log at all');

$t->done;
