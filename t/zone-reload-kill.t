#!/usr/bin/perl

# SIGKILL of workers while the master is loading a reload: an old worker
# killed never says it left, yet its generation is freed once its pid is
# gone; a new worker killed is replaced and reads the new generation.
# Every record stays whole, and the zone's use comes back to its steady
# level.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use Time::HiRes qw(sleep time);
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

sub age {
    my $past = time - 100;
    utime $past, $past, @_ or die "utime: $!";
}

# a reload parses 1500 changed files: long enough to kill workers meanwhile

sub generation {
    my ($g) = @_;

    unlink glob("$dir/arts/*.txt");
    for my $i (1 .. 1500) {
        $t->write_file("arts/k$i.txt", "title: k$i gen $g\n"
                       . "webUrl: https://example.com/k$i/$g\n"
                       . "excerpt: " . ('e' x 300) . "\n");
    }
    age(glob("$dir/arts/*.txt"));
}

generation(1);

$t->write_config(<<'EOF', workers => 2);
    article_map news {
        source arts/*.txt;
        zone 64m;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            return 200 "$article_title|$article_url";
        }

        location = /status {
            article_status;
        }
    }
EOF

$t->run;

sub used {
    return decode_json($t->get('/status')->{content})->{maps}{news}{zone}{used};
}

sub whole {
    my ($g) = @_;

    for my $i (1, 17, 700, 1499, 1500) {
        my $c = $t->get("/a/k$i")->{content};
        return fail("k$i at generation $g: $c")
            if $c ne "k$i gen $g|https://example.com/k$i/$g";
    }

    return pass("records whole at generation $g");
}

# a reload parsing 1500 files may take longer than the harness waits
sub reload {
    my %old = map { $_ => 1 } $t->worker_pids;
    kill 'HUP', $t->master_pid;
    $t->wait_for(60, sub {
        my @now = $t->worker_pids;
        @now == 2 && !grep { $old{$_} } @now
    });
}

generation(2);
reload();
my $steady = used();
whole(2);

# kill an old worker while the master parses, then a new one

generation(3);
my @old = $t->worker_pids;
kill 'HUP', $t->master_pid;
sleep 0.05;
kill 'KILL', $old[0];
my @killed = ($old[0]);

ok($t->wait_for(60, sub {
    my %o = map { $_ => 1 } @old;
    my @now = $t->worker_pids;
    @now == 2 && !grep { $o{$_} } @now
}), 'new workers started, the old ones gone');
whole(3);

my @new = $t->worker_pids;
kill 'KILL', $new[0];
push @killed, $new[0];
ok($t->wait_for(5, sub {
    my @now = $t->worker_pids;
    @now == 2 && !grep { $_ == $new[0] } @now
}), 'the killed new worker is replaced');
whole(3);

# the killed old worker's generation is freed by the next reload

generation(4);
reload();
whole(4);
generation(5);
reload();
whole(5);

my $after = used();
diag("zone used: steady $steady, after the kills $after");
ok($after <= $steady, 'zone use back to its steady level');

$t->done(killed => \@killed);
