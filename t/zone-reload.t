#!/usr/bin/perl

# "nginx -s reload" re-reads the sources: changed, added and deleted files
# are served as they now are, and problems are logged again on every load.
# While a client sends requests in a loop through 5 reloads, every response
# is a 200 with a consistent record: title and excerpt of one key from one
# generation, never a mix, never missing.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use Time::HiRes qw(sleep time);
use POSIX qw(_exit);
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

# atomic replace, as a publisher should do it
sub publish {
    my ($name, $content) = @_;

    $t->write_file("$name.tmp", $content);
    rename "$dir/$name.tmp", "$dir/$name" or die "rename $name: $!";
}

publish('arts/a.txt', "title: A v1\n");
publish('arts/b.txt', "title: B v1\n");
publish('arts/c.txt', "title: C v1\n");
publish('arts/bad.txt', "title: ~\n");
publish('arts/hide.txt', "title: Hide v1\n");

my @keys = map { sprintf 'k%02d', $_ } 1 .. 20;

sub generation {
    my ($g) = @_;

    for my $k (@keys) {
        publish("gen/$k.txt", "title: $k gen $g\nexcerpt: $k gen $g\n"
                . "webUrl: https://example.com/$k/$g\n");
    }
}

generation(1);
publish('gen/stable.txt', "title: stable gen 0\nexcerpt: stable gen 0\n"
        . "webUrl: https://example.com/stable/0\n");

$t->write_config(<<'EOF', workers => 2);
    article_map news {
        source arts/*.txt;
    }

    article_map gen {
        source gen/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>.+)$ {
            article news $id;
            return 200 "found=$article_found title=$article_title";
        }

        location ~ ^/g/(?<id>.+)$ {
            article gen $id;
            return 200 "found=$article_found title=$article_title|excerpt=$article_excerpt|url=$article_url";
        }
    }
EOF

$t->run;

my $bad = qr/\[warn\] \d+#\d+: article_map "news": \Q$dir\E\/arts\/bad\.txt:1:8: "title" is null$/;

is($t->get('/a/a')->{content}, 'found=1 title=A v1', 'a: v1');
is($t->get('/a/c')->{content}, 'found=1 title=C v1', 'c: v1');
is($t->get('/a/d')->{content}, 'found= title=', 'd: not yet');
is(scalar($t->log_lines($bad)), 1, 'bad file logged once at start');

###############################################################################
# change, add, delete, unpublish, then reload

publish('arts/a.txt', "title: A v2\n");
publish('arts/d.txt', "title: D v1\n");
unlink "$dir/arts/c.txt";
publish('arts/hide.txt', "title: Hide v2\npublished: false\n");

is($t->get('/a/a')->{content}, 'found=1 title=A v1',
   'before the reload: the loaded state is served');

$t->reload;

is($t->get('/a/a')->{content}, 'found=1 title=A v2', 'changed file: v2');
is($t->get('/a/b')->{content}, 'found=1 title=B v1', 'unchanged file');
is($t->get('/a/c')->{content}, 'found= title=', 'deleted file: gone');
is($t->get('/a/d')->{content}, 'found=1 title=D v1', 'added file: served');
is($t->get('/a/hide')->{content}, 'found= title=',
   'file now unpublished: not served');
is(scalar($t->log_lines($bad)), 2, 'bad file logged again at the reload');

# a fixed file is loaded at the next reload
publish('arts/bad.txt', "title: Fixed\n");
$t->reload;
is($t->get('/a/bad')->{content}, 'found=1 title=Fixed', 'fixed file loaded');
is(scalar($t->log_lines($bad)), 2, 'and no longer logged');

###############################################################################
# requests in a loop during 5 reloads

my $results = "$dir/loop.txt";
my $stop = "$dir/loop.stop";

my $pid = fork();
die "fork: $!" unless defined $pid;

if ($pid == 0) {
    my (%seen, $n, @errors);
    my $i = 0;

    while (!-e $stop) {
        my $k = $i % 3 == 0 ? 'stable' : $keys[$i % @keys];
        $i++;

        my $r = $t->get("/g/$k", timeout => 5);
        $n++;

        my ($gt, $ge, $gu) = ($r->{content} // '') =~
            m{^found=1 title=\Q$k\E gen (\d+)\|excerpt=\Q$k\E gen (\d+)\|url=https://example\.com/\Q$k\E/(\d+)$};

        if ($r->{status} != 200 || !defined $gt || $gt != $ge
            || $gt != $gu)
        {
            push @errors, "$k: $r->{status} " . ($r->{content} // '');
            next;
        }

        $seen{$gt}++;
    }

    open my $fh, '>', $results or _exit(1);
    print $fh "requests $n\n";
    print $fh "gens " . join(',', sort { $a <=> $b } keys %seen) . "\n";
    print $fh "error $_\n" for @errors;
    close $fh;

    # no DESTROY: the parent owns nginx
    _exit(0);
}

sleep 0.3;

for my $g (2 .. 6) {
    generation($g);
    $t->reload;
    sleep 0.3;
}

open my $fh, '>', $stop or die;
close $fh;
waitpid $pid, 0;
is($?, 0, 'client loop ended');

my $res = $t->read_file('loop.txt');
my ($requests) = $res =~ /^requests (\d+)$/m;
my ($gens) = $res =~ /^gens (.*)$/m;
my @errors = $res =~ /^error (.*)$/mg;

ok($requests && $requests > 50, "client sent $requests requests");
is(scalar @errors, 0, 'every response 200 and consistent')
    or diag(join "\n", @errors[0 .. ($#errors > 9 ? 9 : $#errors)]);
like($gens // '', qr/^(?:0,)?(?:1,)?(?:\d,)*6$/,
     "the last generation was served (seen: $gens)");
ok(($gens // '') =~ /\b[2-5]\b/, 'intermediate generations were served');

# after the loop: the last generation everywhere
for my $k (@keys) {
    my $c = $t->get("/g/$k")->{content};
    next if $c eq "found=1 title=$k gen 6|excerpt=$k gen 6|url=https://example.com/$k/6";
    fail("$k after the reloads: $c");
}
pass('all keys at generation 6');

$t->done;
