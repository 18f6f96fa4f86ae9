#!/usr/bin/perl

# The built-in mobile detection, end to end: a sample of real User-Agents of
# t/unit/ua-corpus.tsv (evenly spread, every label: phone, tablet, desktop,
# bot) sent through real nginx with article_amp on.  A phone is redirected
# (302), a tablet, a desktop and a bot get the page (200); with
# article_amp_tablets on, tablets are redirected too.  The counts per label
# are printed as diagnostics.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $CORPUS = 't/unit/ua-corpus.tsv';
my $PER_LABEL = 25;

my %by_label;
my $lines = 0;

if (open my $fh, '<:raw', $CORPUS) {
    while (my $line = <$fh>) {
        $line =~ s/\r?\n\z//;
        next if $line =~ /^#/ || $line !~ /\S/;
        my ($label, $ua) = split /\t/, $line, 2;
        next unless defined $ua && $label =~ /^(phone|tablet|desktop|bot)$/;
        $lines++;
        push @{$by_label{$label}}, $ua;
    }
    close $fh;
}

plan skip_all => "$CORPUS missing or has fewer than 50 agents" if $lines < 50;

my @LABELS = qw(phone tablet desktop bot);

# evenly spread over the file, the same sample every run
my @sample;
for my $label (@LABELS) {
    my $all = $by_label{$label} || [];
    my $n = @$all < $PER_LABEL ? @$all : $PER_LABEL;
    for my $i (0 .. $n - 1) {
        push @sample, [ $label, $all->[int($i * @$all / $n)] ];
    }
}

my $t = ArticleTest->new;

$t->write_file('arts/a.txt', <<'EOF');
title: "Corpus article"
webUrl: "https://www.example.com/news/a/"
ampWebUrl: "https://www.example.com/news/a/amp/"
cdnAmpWebUrl: "https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/a/amp/"
EOF

my $CDN = 'https://www-example-com.cdn.ampproject.org/c/s/www.example.com/news/a/amp/';

# no static files: the workers may not read the test directory
$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/phones/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            empty_gif;
        }

        location ~ ^/tablets/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            article_amp_tablets on;
            empty_gif;
        }
    }
EOF

$t->run;

sub short {
    my ($ua) = @_;
    $ua =~ s/[^\x20-\x7e]/?/g;
    return length($ua) > 90 ? substr($ua, 0, 87) . '...' : $ua;
}

my %count;

for my $pass ([ 'phones', { phone => 1 } ],
              [ 'tablets', { phone => 1, tablet => 1 } ])
{
    my ($where, $mobile) = @$pass;

    for my $s (@sample) {
        my ($label, $ua) = @$s;
        my $want = $mobile->{$label} ? 302 : 200;

        my $r = $t->get("/$where/a", headers => { 'User-Agent' => $ua });
        my $loc = $r->{headers}{location} // '-';
        my $got = $r->{status} == 302 ? "302 $loc" : $r->{status};
        my $exp = $want == 302 ? "302 $CDN" : 200;

        $count{$where}{$label}{total}++;
        $count{$where}{$label}{redirected}++ if $r->{status} == 302;

        is($got, $exp, "$where: $label -> $want: " . short($ua));
    }
}

for my $where (qw(phones tablets)) {
    diag(sprintf '%-8s %s', $where, join ', ', map {
        sprintf '%s %d/%d redirected', $_,
            $count{$where}{$_}{redirected} // 0, $count{$where}{$_}{total} // 0
    } @LABELS);
}
diag(sprintf 'sample of %d agents out of %d in %s', scalar @sample, $lines,
     $CORPUS);

$t->done;
