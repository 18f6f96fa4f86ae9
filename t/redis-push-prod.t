#!/usr/bin/perl

# redis/article-push against production-style Redis servers: requirepass
# (--password-file, the secret never printed, a wrong or missing file), an
# ACL user limited to ~article:* and the commands a push needs, --db,
# TLS (--tls, --cacert, --sni: verified; a wrong CA and a wrong name are
# refused; a server that requires a client certificate gets --cert/--key),
# Sentinel (--sentinel: the sentinels asked in order, the first answer
# wins), and the invalidation stream PREFIX"invalidate" beside the PUBLISH
# (XADD ... MAXLEN ~ 10000 * key KEY, in the same MULTI/EXEC).

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use File::Basename qw(dirname);
use IO::Socket::INET;
use POSIX qw(WNOHANG);
use Time::HiRes qw(sleep time);
use ArticleTest;

my $push = $ENV{TEST_ARTICLE_PUSH}
    // dirname($ENV{TEST_NGINX_MODULE} // 'build/x') . '/article-push';

plan(skip_all => "$push is not built (make)") unless -x $push;
plan(skip_all => 'openssl is not installed')
    unless system('openssl version >/dev/null 2>&1') == 0;

my $t = ArticleTest->new;
my $dir = $t->dir;

my $PASS = 'S3cret-Pass-42';
my $ACLPASS = 'Acl-Pass-77';
my $WRONG = 'Wrong-Pass-13';

# (exit code, stdout, stderr) of article-push ARGS
sub run_push {
    my (@args) = @_;

    my $pid = fork();
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        open STDOUT, '>', "$dir/push.out" or die;
        open STDERR, '>', "$dir/push.err" or die;
        exec $push, @args;
        exit 127;
    }

    waitpid $pid, 0;
    my $rc = $? >> 8;

    return ($rc, $t->read_file('push.out'), $t->read_file('push.err'));
}

# one RESP reply: a scalar, undef for nil, { err => TEXT }, or an array ref
sub resp_read {
    my ($s) = @_;

    my $line = <$s>;
    return { err => 'connection closed' } unless defined $line;
    $line =~ s/\r\n\z//;

    my ($type, $v) = (substr($line, 0, 1), substr($line, 1));

    return $v if $type eq '+' || $type eq ':';
    return { err => $v } if $type eq '-';

    if ($type eq '$') {
        return undef if $v < 0;
        my $data = '';
        while (length($data) < $v + 2) {
            read($s, $data, $v + 2 - length($data), length($data)) or last;
        }
        return substr($data, 0, $v);
    }

    return undef if $v < 0;
    return [ map { resp_read($s) } 1 .. $v ];
}

sub resp_send {
    my ($s, @args) = @_;

    my $cmd = '*' . @args . "\r\n";
    $cmd .= '$' . length($_) . "\r\n$_\r\n" for @args;
    print $s $cmd;
}

# one command on plain PORT, after AUTH @$auth when given
sub rcmd {
    my ($port, $auth, @args) = @_;

    my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port", Timeout => 5)
        or return { err => "connect: $!" };

    if ($auth) {
        resp_send($s, 'AUTH', @$auth);
        my $r = resp_read($s);
        return $r if ref $r eq 'HASH';
    }

    resp_send($s, @args);
    my $r = resp_read($s);
    close $s;

    return $r;
}

sub wait_tcp {
    my ($port) = @_;
    return $t->wait_for(5, sub {
        IO::Socket::INET->new(PeerAddr => "127.0.0.1:$port") ? 1 : 0 });
}

sub secret_free {
    my ($name, @text) = @_;
    my $all = join '', @text;
    ok($all !~ /\Q$PASS\E|\Q$ACLPASS\E|\Q$WRONG\E/, "$name: no secret printed");
}

my $art = $t->write_file('push/prod1.txt', "title: Prod One\n");

# --- requirepass -----------------------------------------------------------

my $rp = $t->start_redis(name => 'auth', args => ['--requirepass', $PASS]);
my @auth = ('-h', '127.0.0.1', '-p', $rp);

my $pwfile = $t->write_file('secrets/pass', "$PASS\n");
my $crlf = $t->write_file('secrets/crlf', "$PASS\r\n");
my $wrong = $t->write_file('secrets/wrong', "$WRONG\n");

my ($rc, $out, $err) = run_push(@auth, '--password-file', $pwfile, $art);
is($rc, 0, 'requirepass: exit 0 with --password-file');
like($out, qr/^pushed 1 article/m, 'requirepass: pushed');
is($err, '', 'requirepass: nothing on stderr');
is(rcmd($rp, [$PASS], 'GET', 'article:prod1'), "title: Prod One\n",
   'requirepass: record SET');
secret_free('requirepass', $out, $err);

($rc) = run_push(@auth, '--password-file', $crlf, $art);
is($rc, 0, 'password file with CRLF: exit 0');

# the invalidation stream beside the PUBLISH

my $x = rcmd($rp, [$PASS], 'XRANGE', 'article:invalidate', '-', '+');
ok(ref $x eq 'ARRAY' && @$x == 2, 'stream: one entry per push')
    or diag(explain($x));
is_deeply($x->[-1][1], ['key', 'prod1'], 'stream: field "key", the article key');
is(rcmd($rp, [$PASS], 'TYPE', 'article:invalidate'), 'stream',
   'stream: under PREFIX"invalidate"');

# a subscriber sees the PUBLISH of the same push

my $sub = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$rp", Timeout => 5);
resp_send($sub, 'AUTH', $PASS);
resp_read($sub);
resp_send($sub, 'SUBSCRIBE', 'article:invalidate');
resp_read($sub);

($rc) = run_push(@auth, '--password-file', $pwfile,
                 $t->write_file('push/prod2.txt', "title: Prod Two\n"),
                 $t->write_file('push/prod3.txt', "title: Prod Three\n"));
is($rc, 0, 'two files: exit 0');
my @msgs = map { resp_read($sub) } 1 .. 2;
is_deeply([map { $_->[2] } @msgs], ['prod2', 'prod3'],
          'two files: each key published');
close $sub;

$x = rcmd($rp, [$PASS], 'XRANGE', 'article:invalidate', '-', '+');
is_deeply([map { $_->[1][1] } @$x], [qw(prod1 prod1 prod2 prod3)],
          'two files: each key in the stream, in order');

# no password, a wrong one, a missing or malformed file

($rc, $out, $err) = run_push(@auth, $art);
is($rc, 3, 'no password: exit 3');
like($err, qr/NOAUTH/, 'no password: NOAUTH said');

($rc, $out, $err) = run_push(@auth, '--password-file', $wrong, $art);
is($rc, 3, 'wrong password: exit 3');
like($err, qr/redis 127\.0\.0\.1:$rp: AUTH failed: (WRONGPASS|ERR)/,
     'wrong password: "AUTH failed" with the address');
unlike($out, qr/pushed/, 'wrong password: nothing pushed');
secret_free('wrong password', $out, $err);

($rc, $out, $err) = run_push(@auth, '--password-file', "$dir/secrets/none",
                             $art);
is($rc, 1, 'missing password file: exit 1');
like($err, qr{secrets/none": No such file}, 'missing password file: named');

# the format nginx reads: spaces around the words and the line's end
# ignored; more lines, more words or nothing refused, naming the file only

my $spaced = $t->write_file('secrets/spaced', " \t$PASS \t\r\n\n");
($rc) = run_push(@auth, '--password-file', $spaced, $art);
is($rc, 0, 'password file with spaces around and blank line ends: exit 0');

my %bad = ("a b c\n" => 'expected', "$PASS\nmore\n" => 'more than one line',
           "\n" => 'empty', " \t \n" => 'empty');

for my $bad (sort keys %bad) {
    my $f = $t->write_file('secrets/bad', $bad);
    ($rc, $out, $err) = run_push(@auth, '--password-file', $f, $art);
    (my $show = $bad) =~ s/\n/\\n/g;
    $show =~ s/\t/\\t/g;
    is($rc, 1, "malformed password file \"$show\": exit 1");
    like($err, qr{secrets/bad": \Q$bad{$bad}\E},
         "malformed \"$show\": said why");
    unlike($err, qr/\Q$PASS\E|a b c/,
           "malformed \"$show\": not echoed");
}

# --db

($rc) = run_push(@auth, '--password-file', $pwfile, '--db', '3',
                 $t->write_file('push/indb.txt', "title: In Db 3\n"));
is($rc, 0, '--db 3: exit 0');

my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$rp");
resp_send($s, 'AUTH', $PASS);
resp_read($s);
resp_send($s, 'SELECT', '3');
resp_read($s);
resp_send($s, 'GET', 'article:indb');
is(resp_read($s), "title: In Db 3\n", '--db 3: SET in db 3');
resp_send($s, 'XLEN', 'article:invalidate');
is(resp_read($s), 1, '--db 3: the stream is in db 3 too');
close $s;

is(rcmd($rp, [$PASS], 'EXISTS', 'article:indb'), 0, '--db 3: not in db 0');

($rc, undef, $err) = run_push(@auth, '--password-file', $pwfile,
                              '--db', '99', $art);
is($rc, 3, '--db out of range: exit 3');
like($err, qr/SELECT 99: ERR/, '--db out of range: said');

($rc) = run_push(@auth, '--password-file', $pwfile, '--db', 'x', $art);
is($rc, 1, '--db x: exit 1');

# --- ACL user --------------------------------------------------------------

my $acl = rcmd($rp, [$PASS], 'ACL', 'SETUSER', 'pusher', 'reset', 'on',
               ">$ACLPASS", '~article:*', '&article:*', '+set', '+publish',
               '+xadd', '+multi', '+exec', '+auth', '+select', '+ping');
is($acl, 'OK', 'ACL user created');

my $userfile = $t->write_file('secrets/user', "pusher   $ACLPASS\n");
my $aclfile = $t->write_file('secrets/acl', "$ACLPASS\n");

($rc, $out, $err) = run_push(@auth, '--password-file', $userfile,
                             $t->write_file('push/acl1.txt', "title: Acl\n"));
is($rc, 0, 'ACL user from "USERNAME PASSWORD": exit 0');
is($err, '', 'ACL user: nothing on stderr');
is(rcmd($rp, [$PASS], 'GET', 'article:acl1'), "title: Acl\n",
   'ACL user: record SET');

($rc) = run_push(@auth, '--user', 'pusher', '--password-file', $aclfile, $art);
is($rc, 0, 'ACL user with --user and a PASSWORD file: exit 0');

($rc, $out, $err) = run_push(@auth, '--user', 'someone', '--password-file',
                             $userfile, $art);
is($rc, 1, '--user and the file name different users: exit 1');

($rc, $out, $err) = run_push(@auth, '--user', 'pusher', $art);
is($rc, 1, '--user without --password-file: exit 1');

($rc, $out, $err) = run_push(@auth, '--user', 'pusher', '--password-file',
                             $wrong, $art);
is($rc, 3, 'ACL user, wrong password: exit 3');
like($err, qr/AUTH failed for user pusher: WRONGPASS/,
     'ACL user, wrong password: said, with the user');
secret_free('ACL wrong password', $out, $err);

($rc, $out, $err) = run_push(@auth, '--password-file', $userfile,
                             '--prefix', 'other:',
                             $t->write_file('push/acl2.txt', "title: X\n"));
is($rc, 3, 'ACL user outside ~article:*: exit 3');
like($err, qr/NOPERM/, 'ACL user outside ~article:*: NOPERM said');
is(rcmd($rp, [$PASS], 'EXISTS', 'other:acl2'), 0,
   'ACL user outside ~article:*: nothing written');

# --- TLS -------------------------------------------------------------------

sub sh {
    my ($cmd) = @_;
    system("cd $dir/tls && $cmd >>$dir/tls/openssl.log 2>&1") == 0
        or BAIL_OUT("openssl failed: $cmd");
}

mkdir "$dir/tls";
my $ec = '-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes';

for my $ca (qw(ca other)) {
    sh("openssl req -x509 $ec -keyout $ca.key -out $ca.crt -days 2"
       . " -subj '/CN=Test $ca' -addext basicConstraints=critical,CA:TRUE"
       . " -addext keyUsage=critical,keyCertSign,cRLSign");
}

$t->write_file('tls/server.ext', "subjectAltName=DNS:redis.test,"
               . "DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
$t->write_file('tls/client.ext', "extendedKeyUsage=clientAuth\n");

for my $who (qw(server client)) {
    sh("openssl req $ec -keyout $who.key -out $who.csr -subj '/CN=$who'");
    sh("openssl x509 -req -in $who.csr -CA ca.crt -CAkey ca.key"
       . " -CAcreateserial -days 2 -extfile $who.ext -out $who.crt");
}

sub start_tls {
    my ($name, $clients) = @_;

    my $tp = $t->port("${name}_tls");
    $t->start_redis(name => $name, args => [
        '--tls-port', $tp, '--tls-cert-file', "$dir/tls/server.crt",
        '--tls-key-file', "$dir/tls/server.key",
        '--tls-ca-cert-file', "$dir/tls/ca.crt",
        '--tls-auth-clients', $clients]);
    wait_tcp($tp) or BAIL_OUT("redis-server --tls-port did not start");

    return $tp;
}

my $tp = start_tls('tls', 'no');
my $plain = $t->port('tls');
my @tls = ('-h', '127.0.0.1', '-p', $tp, '--tls', '--cacert',
           "$dir/tls/ca.crt");

($rc, $out, $err) = run_push(@tls,
                             $t->write_file('push/tls1.txt', "title: Tls\n"));
is($rc, 0, 'TLS, verified against the address: exit 0') or diag($err);
is(rcmd($plain, undef, 'GET', 'article:tls1'), "title: Tls\n",
   'TLS: record SET');
is(rcmd($plain, undef, 'XLEN', 'article:invalidate'), 1, 'TLS: stream entry');

($rc, undef, $err) = run_push(@tls, '--sni', 'redis.test', $art);
is($rc, 0, 'TLS, --sni redis.test: exit 0') or diag($err);

($rc, undef, $err) = run_push('-h', 'localhost', '-p', $tp, '--tls',
                              '--cacert', "$dir/tls/ca.crt", $art);
is($rc, 0, 'TLS, -h localhost: the name verified, address by address')
    or diag($err);

($rc, $out, $err) = run_push('-h', '127.0.0.1', '-p', $tp, '--tls',
                             '--cacert', "$dir/tls/other.crt", $art);
is($rc, 3, 'TLS, wrong CA: exit 3');
like($err, qr/certificate verify failed: /, 'TLS, wrong CA: said');
unlike($out, qr/pushed/, 'TLS, wrong CA: nothing pushed');

($rc, $out, $err) = run_push(@tls, '--sni', 'wrong.example', $art);
is($rc, 3, 'TLS, wrong name: exit 3');
like($err, qr/certificate verify failed: .*wrong\.example/,
     'TLS, wrong name: said, with the name');

($rc, $out, $err) = run_push('-h', '127.0.0.1', '-p', $tp, '--tls', $art);
is($rc, 3, 'TLS, system CAs only: the test CA is not trusted, exit 3');

($rc, undef, $err) = run_push('-h', '127.0.0.1', '-p', $tp, $art);
isnt($rc, 0, 'plain to a TLS port: fails');

($rc, undef, $err) = run_push(@tls, '-s', "$dir/redis.sock", $art);
is($rc, 1, '--tls with -s: usage error');

($rc, undef, $err) = run_push('-h', '127.0.0.1', '-p', $tp,
                              '--cacert', "$dir/tls/ca.crt", $art);
is($rc, 1, '--cacert without --tls: usage error');

($rc, undef, $err) = run_push(@tls, '--cacert', "$dir/tls/none.crt", $art);
is($rc, 1, 'missing --cacert file: exit 1');
like($err, qr/none\.crt/, 'missing --cacert file: named');

# client certificate required

my $mp = start_tls('mtls', 'yes');
my @mtls = ('-h', '127.0.0.1', '-p', $mp, '--tls', '--cacert',
            "$dir/tls/ca.crt");

($rc, $out, $err) = run_push(@mtls, $art);
is($rc, 3, 'client certificate required, none given: exit 3');
like($err, qr/TLS: /, 'client certificate required: the TLS error said');

($rc, $out, $err) = run_push(@mtls, '--cert', "$dir/tls/client.crt",
                             '--key', "$dir/tls/client.key",
                             $t->write_file('push/mtls.txt', "title: Mtls\n"));
is($rc, 0, 'client certificate required, --cert/--key: exit 0')
    or diag($err);
is(rcmd($t->port('mtls'), undef, 'GET', 'article:mtls'), "title: Mtls\n",
   'client certificate: record SET');

($rc, undef, $err) = run_push(@mtls, '--cert', "$dir/tls/client.crt",
                              '--key', "$dir/tls/server.key", $art);
is($rc, 1, 'a key that is not the certificate\'s: exit 1');

# --- Sentinel --------------------------------------------------------------

my $mport = $t->start_redis(name => 'master');
my @spids;

sub start_sentinel {
    my ($i, $tls) = @_;

    my $port = $t->port("sentinel$i");
    my $target = $tls ? $tp : $mport;
    my $listen = $tls ? <<"TLS" : "port $port\n";
port 0
tls-port $port
tls-cert-file $dir/tls/server.crt
tls-key-file $dir/tls/server.key
tls-ca-cert-file $dir/tls/ca.crt
tls-auth-clients no
tls-replication yes
TLS
    my $conf = $t->write_file("sentinel$i.conf", <<"EOF");
$listen
bind 127.0.0.1
daemonize no
dir $dir
sentinel monitor mymaster 127.0.0.1 $target 2
sentinel down-after-milliseconds mymaster 60000
EOF

    my $pid = fork();
    die "fork: $!" unless defined $pid;

    if ($pid == 0) {
        open STDOUT, '>', "$dir/sentinel$i.log";
        open STDERR, '>&', \*STDOUT;
        exec 'redis-server', $conf, '--sentinel';
        exit 1;
    }

    push @spids, $pid;
    wait_tcp($port) or BAIL_OUT("sentinel $i did not start");

    return $port;
}

my @sp = map { start_sentinel($_) } 1 .. 3;
my $dead = $t->port('nothing');

my $list = join ',', map { "127.0.0.1:$_" } $dead, @sp;

($rc, $out, $err) = run_push('--sentinel', "mymaster\@$list",
                             $t->write_file('push/sent.txt', "title: Sent\n"));
is($rc, 0, 'sentinel: exit 0') or diag($err);
like($out, qr/^pushed 1 article/m, 'sentinel: pushed');
is(rcmd($mport, undef, 'GET', 'article:sent'), "title: Sent\n",
   'sentinel: SET on the master the sentinels name');
is(rcmd($mport, undef, 'XLEN', 'article:invalidate'), 1,
   'sentinel: stream entry on the master');
like($err, qr/sentinel 127\.0\.0\.1:$dead: connect: /,
     'sentinel: the dead one said, the next asked');

($rc, $out, $err) = run_push('--sentinel', "nosuch\@$list", $art);
is($rc, 2, 'sentinel, unknown master: exit 2');
like($err, qr/no sentinel answered for master "nosuch"/,
     'sentinel, unknown master: "no sentinel answered"');

($rc) = run_push('--sentinel', 'mymaster', $art);
is($rc, 1, '--sentinel without addresses: exit 1');

($rc) = run_push('--sentinel', "mymaster\@127.0.0.1:$sp[0]",
                 '-h', '127.0.0.1', $art);
is($rc, 1, '--sentinel with -h: exit 1');

($rc) = run_push('--sentinel', "mymaster\@127.0.0.1:$sp[0]", '--tls',
                 '--cacert', "$dir/tls/ca.crt", $art);
is($rc, 1, '--sentinel --tls without --sni: exit 1');

# TLS to the sentinel and to the master it names, both verified by --sni

my $ts = start_sentinel(4, 1);

($rc, $out, $err) = run_push('--sentinel', "mymaster\@127.0.0.1:$ts", '--tls',
                             '--cacert', "$dir/tls/ca.crt",
                             '--sni', 'redis.test',
                             $t->write_file('push/stls.txt', "title: St\n"));
is($rc, 0, 'sentinel over TLS: exit 0') or diag($err);
is(rcmd($plain, undef, 'GET', 'article:stls'), "title: St\n",
   'sentinel over TLS: SET on the TLS master it names');

($rc, $out, $err) = run_push('--sentinel', "mymaster\@127.0.0.1:$ts", '--tls',
                             '--cacert', "$dir/tls/ca.crt",
                             '--sni', 'wrong.example', $art);
is($rc, 3, 'sentinel over TLS, wrong name: refused, exit 3');
like($err, qr/sentinel 127\.0\.0\.1:$ts: certificate verify failed/,
     'sentinel over TLS, wrong name: the sentinel refused');

kill 'TERM', @spids;
waitpid $_, 0 for @spids;
@spids = ();

END { kill 'TERM', @spids if @spids; }

# --- a key that would overwrite the stream ----------------------------------

($rc, undef, $err) = run_push(@auth, '--password-file', $pwfile,
                        $t->write_file('push/invalidate.txt', "title: I\n"));
is($rc, 1, 'key "invalidate": refused, exit 1');
like($err, qr{push/invalidate\.txt:1:1: key "invalidate"},
     'key "invalidate": FILE:LINE:COL said');
is(rcmd($rp, [$PASS], 'TYPE', 'article:invalidate'), 'stream',
   'key "invalidate": the stream stays');

# --- a server that quotes AUTH's arguments back ---------------------------
# With AUTH renamed away, Redis answers "ERR unknown command 'AUTH', with
# args beginning with: 'PASSWORD'": only the error code and the file are
# said.

my $quoting = $t->start_redis(name => 'quoting',
                              args => ['--rename-command', 'AUTH', '']);
my $aclfile = $t->write_file('secrets/acl', "pusher $ACLPASS\n");

for my $case ([$pwfile, 'PASSWORD'], [$aclfile, 'USERNAME PASSWORD']) {
    my ($file, $form) = @$case;
    ($rc, $out, $err) = run_push('-h', '127.0.0.1', '-p', $quoting,
                                 '--password-file', $file, $art);
    is($rc, 3, "AUTH quoted back ($form): exit 3");
    like($err, qr/redis 127\.0\.0\.1:$quoting: AUTH failed.*: ERR \(/,
         "AUTH quoted back ($form): the error code said");
    like($err, qr/\Q$file\E/, "AUTH quoted back ($form): the file named");
    unlike($err, qr/with args|unknown command/,
           "AUTH quoted back ($form): not the server's text");
    secret_free("AUTH quoted back ($form)", $out, $err);
}

# the help documents the options and the exit codes

($rc, $out) = run_push('--help');
is($rc, 0, '--help: exit 0');
like($out, qr/--$_\b/, "--help: --$_") for qw(user password-file db tls
                                              cacert sni cert key sentinel
                                              cluster);
like($out, qr/Exit: 0 .*1 .*2 .*3/s, '--help: exit codes');

$t->done;
