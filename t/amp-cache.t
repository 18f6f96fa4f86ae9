#!/usr/bin/perl

# The core's AMP cache URLs (src/core/art_amp.c, built here with a small
# driver) equal, byte for byte, those of the AMP project's own generator,
# @ampproject/toolbox-cache-url 2.10 createCacheUrl (pinned in
# t/amp-cache/package.json, installed on first run), on the list that
# t/amp-cache/ref.js makes: IDN hosts in punycode, hyphens, "--", upper
# case, long labels, results over 63 characters (the SHA-256 fallback),
# http and https, ports, paths, queries and fragments.  Hosts that are not
# valid names (and URLs the module does not derive) give no URL at all.

use strict;
use warnings;
use Test::More;
use JSON::PP;
use File::Temp qw(tempdir);

use lib 't/lib';
use ArticleTest;

my $DIR = 't/amp-cache';

my $node = `node --version 2>/dev/null` // '';
plan(skip_all => 'node is not installed') unless $node =~ /^v(\d+)/;

my $npm_lock = ArticleTest::npm_lock($DIR);
unless (-f "$DIR/node_modules/\@ampproject/toolbox-cache-url/package.json") {
    plan(skip_all => 'npm is not installed')
        unless `npm --version 2>/dev/null`;

    my $out = `cd $DIR && npm ci --no-audit --no-fund --loglevel=error 2>&1`;
    plan(skip_all => "npm ci of toolbox-cache-url failed: $out")
        if $? != 0;
}
close $npm_lock;

my $tmp = tempdir(CLEANUP => 1);
my $cc = $ENV{CC} // 'cc';
my $san = $ENV{TEST_NGINX_ASAN} ? '-fsanitize=address,undefined' : '';
my $src = "$DIR/driver.c src/core/art_*.c -lyaml -lcrypto";
my $build = `$cc -O1 -g -Wall -Wextra -Werror $san -Isrc/core -o $tmp/drv $src 2>&1`;
plan(skip_all => "cannot build the driver: $build") if $? != 0;

my @list = map { decode_json($_) } split /\n/, `node $DIR/ref.js`;
die "ref.js failed" if $? != 0 || !@list;

open(my $fh, '>', "$tmp/urls") or die;
print $fh map { "$_->{url}\n" } @list;
close $fh;

my @mine = split /\n/, `$tmp/drv < $tmp/urls`;
is(scalar @mine, scalar @list, 'one answer per URL');

my ($derive, $same, $none, $nothing) = (0, 0, 0, 0);

for my $i (0 .. $#list) {
    my $e = $list[$i];
    my $m = $mine[$i] // '';

    if ($e->{expect} eq 'derive') {
        $derive++;

        if (defined $e->{ref} && $m eq $e->{ref}) {
            $same++;
        } else {
            diag("$e->{url}\n  reference: " . ($e->{ref} // 'none')
                 . "\n  module:    $m");
        }

    } else {
        $none++;

        if ($m =~ /^-\t/) {
            $nothing++;
        } else {
            diag("$e->{url} must give no URL, gives $m");
        }
    }
}

cmp_ok($derive, '>=', 500, "$derive URLs to derive");
is($same, $derive, 'every derived URL equals the reference byte for byte');
cmp_ok($none, '>=', 30, "$none URLs that are not valid names");
is($nothing, $none, 'none of them gives a URL');

my @fallback = grep { $_->{expect} eq 'derive'
                      && $_->{ref} =~ m{^https://[a-z2-7]{52}\.} } @list;
cmp_ok(scalar @fallback, '>=', 50, 'the SHA-256 fallback is among them');

my @idn = grep { $_->{expect} eq 'derive' && $_->{url} =~ /xn--/i } @list;
cmp_ok(scalar @idn, '>=', 100, 'punycode hosts are among them');

done_testing();
