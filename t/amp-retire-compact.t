#!/usr/bin/perl

# Records keyed by their AMP path too (article_amp_retire, "index url")
# stay found under both keys when a reload copies them out of chunks
# mostly unused: the AMP key follows the record to its new place, so it
# never points into a chunk that is freed and filled again.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

sub put {
    my ($n, $v) = @_;
    $t->write_file("arts/m$n.txt", "title: $v $n\n"
                   . "webUrl: \"http://localhost/m/$n/\"\n"
                   . "ampWebUrl: \"http://localhost/m/$n/amp/\"\n"
                   . 'excerpt: ' . ('e' x 1500) . "\n");
}

put(1, 'many');

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        index url;
        zone 32m;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location /m/ {
            article news $uri;
            article_amp_retire on;
            return 200 "$article_found|$article_title";
        }
    }
EOF

$t->run;

# added by a reload, not by the helpers of a first load: the master packs
# them into whole chunks
put($_, 'many') for 1 .. 1500;

# a file whose inode changed less than 2 s before a load is read again at
# the next one: these are to be kept by it
sleep 2.1;
$t->reload;

sub wrong {
    my ($want) = @_;
    return grep {
        my $w = $want->($_);
        $t->get("/m/$_/amp/")->{content} ne $w
            || $t->get("/m/$_/")->{content} ne $w
    } 1 .. 1500;
}

my @wrong = wrong(sub { "1|many $_[0]" });
is(scalar @wrong, 0, 'every record under both keys') or diag("@wrong[0..9]");

# three of five go: their chunks are mostly unused, the rest is moved
unlink map { "$dir/arts/m$_.txt" } grep { $_ % 5 < 3 } 1 .. 1500;
$t->reload;

ok(scalar($t->log_lines(qr/article_map "news": \d+ records moved out of chunks mostly unused/)),
   'records were moved out of chunks mostly unused');

@wrong = wrong(sub { $_[0] % 5 < 3 ? '|' : "1|many $_[0]" });
is(scalar @wrong, 0, 'after the move, every record under both keys')
    or diag("wrong: @wrong[0..9]");

# the chunks they left were freed when the old worker exited; a reload
# that fails ("strict" and a bad file) fills them with new records first
# and frees those again, while this generation stays: a key left pointing
# there would read them

put($_, 'new') for grep { $_ % 5 < 3 } 1 .. 1500;
$t->write_file('arts/bad.txt', "title: ~\n");
sleep 2.1;
my $conf = $t->read_file('nginx.conf');
(my $strict = $conf) =~ s/zone 32m;/zone 32m;\n        strict on;/;
$t->write_file('nginx.conf', $strict);
kill 'HUP', $t->master_pid;
ok($t->wait_for(30, sub {
       scalar $t->log_lines(qr/problem\(s\) in its sources and "strict" is on/)
   }), 'the reload failed');

@wrong = wrong(sub { $_[0] % 5 < 3 ? '|' : "1|many $_[0]" });
is(scalar @wrong, 0, 'the generation that moved them serves every record '
   . 'under both keys') or diag("wrong: @wrong[0..9]");

$t->done(allow => qr/"strict" is on|"title" is null/);
