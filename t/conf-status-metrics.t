#!/usr/bin/perl

# Every counter of article_status' JSON has a Prometheus metric with
# "# HELP" and "# TYPE" lines.  The list comes from the JSON at run time:
# a key K of a map is article_K, a key K of its object O (zone, redis) is
# article_O_K; either may end in "_total" (a counter must).  Two cluster:
# maps too (their seeds answer nothing: the metrics are there all the
# same), and every metric's lines stand together, as the text format wants.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use ArticleTest;

my $t = ArticleTest->new;

$t->write_file('arts/one.txt', "title: One\n");
$t->start_redis;

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
        redis 127.0.0.1:%%PORT_redis%%;
    }

    article_map c1 {
        source arts/*.txt;
        redis cluster:127.0.0.1:%%PORT_nobody1%%;
    }

    article_map c2 {
        source arts/*.txt;
        redis cluster:127.0.0.1:%%PORT_nobody2%%;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location = /status {
            article_status;
        }
    }
EOF

$t->run;

my $json = decode_json($t->get('/status')->{content});
my $prom = $t->get('/status?format=prometheus')->{content};

my %type = $prom =~ /^# TYPE (\w+) (\w+)$/mg;
my %help = map { $_ => 1 } $prom =~ /^# HELP (\w+) \S/mg;
my %sample = map { $_ => 1 } $prom =~ /^(\w+)\{/mg;

my %keys;
for my $m (values %{ $json->{maps} }) {
    for my $k (keys %$m) {
        if (ref $m->{$k} eq 'HASH') {
            $keys{"${k}_$_"} = 1 for keys %{$m->{$k}};
        } else {
            $keys{$k} = 1;
        }
    }
}
my @keys = sort keys %keys;
ok($keys{redis_nodes} && $keys{redis_moved}, 'the cluster keys are there');

cmp_ok(scalar @keys, '>=', 20, 'the JSON has its keys');

for my $k (@keys) {
    my ($name) = grep { $type{$_} } "article_$k", "article_${k}_total";
    ok($name, "$k: a metric") or next;
    ok($help{$name}, "$name: # HELP");
    ok($sample{$name}, "$name: a sample");
    if ($type{$name} eq 'counter') {
        like($name, qr/_total$/, "$name: a counter ends in _total");
    }
}

for my $name (keys %type) {
    ok($help{$name}, "$name: # HELP") unless grep { "article_$_" eq $name
        || "article_${_}_total" eq $name } @keys;
}

# each metric's lines in one group: no name comes back after another's
my (@order, %seen);
for ($prom =~ /^(?:# (?:HELP|TYPE) )?(\w+)/mg) {
    next if @order && $order[-1] eq $_;
    push @order, $_;
}
my @again = grep { $seen{$_}++ } @order;
ok(!@again, 'every metric\'s lines together') or diag("split: @again");
is(() = $prom =~ /^article_redis_nodes\{/mg, 2, 'a sample per cluster: map');

like($prom, qr/^article_info\{version="[^"]+"\} 1$/m, 'article_info kept');
like($prom, qr/^article_redis_connected\{map="news"\} [01]$/m,
     'article_redis_connected is 0 or 1');
like($prom, qr/^article_redis_connected_workers\{map="news"\} \d+$/m,
     'beside the count of workers');

$t->done;
