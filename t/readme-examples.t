#!/usr/bin/perl

# Every ```nginx block of README.md passes "nginx -t".
#
# A block is a complete nginx.conf, tested as it is written, unless one of
# its comment lines says "fragment: inside http { }" (or server, or
# location): a fragment is tested inside this skeleton:
#
#   load_module TEST_NGINX_MODULE;          (none when it is "static")
#   events { }
#   http {
#       upstream backend { server 127.0.0.1:1; }  when the block uses
#                                           "backend" and declares none
#       article_map NAME { source ...; }    for each map its "article NAME"
#                                           lines use and it declares not
#       server { listen 127.0.0.1:PORT;     for a server or location one
#           location / {                    for a location one
#               FRAGMENT
#
# Rewritten in every block, and nothing else (the examples show the paths
# of a Debian server; the test cannot use those):
#
#   load_module ....../ngx_http_article_module.so  -> TEST_NGINX_MODULE
#   /srv/          -> TMP/srv/  (srv/articles/ holds the seed record of
#                                t/data, srv/www/ examples/html/)
#   /etc/nginx/    -> TMP/etc/nginx/
#
# nginx runs as "nginx -t -p TMP/ -c TMP/bN.conf -e TMP/logs/error.log";
# a failing block is reported with its README line and nginx's output.
#
# Environment: TEST_NGINX_MODULE (required), TEST_NGINX_BINARY,
# TEST_NGINX_ASAN (nginx -t runs with the sanitizers; none may report).

use strict;
use warnings;

use File::Basename qw(dirname);
use File::Copy qw(copy);
use File::Path qw(make_path);
use File::Temp qw(tempdir);
use Test::More;

use lib dirname(__FILE__) . '/lib';
use ArticleTest ();

my $top = dirname(dirname(__FILE__)) || '.';
$top = "$top/.." if $top eq 't';

my $module = $ENV{TEST_NGINX_MODULE}
    or BAIL_OUT('TEST_NGINX_MODULE is not set: run "make test"');
my $nginx = $ENV{TEST_NGINX_BINARY} || 'nginx';
my $static = $module eq 'static';

my $tmp = tempdir('article-t-XXXXXX', TMPDIR => 1,
                  CLEANUP => !$ENV{TEST_NGINX_LEAVE});
make_path("$tmp/logs", "$tmp/srv/articles", "$tmp/srv/www",
          "$tmp/etc/nginx");
copy("$top/t/data/000_3aa483876b51293a.txt", "$tmp/srv/articles/")
    or die "copy: $!";
copy("$top/examples/html/article.html", "$tmp/srv/www/") or die "copy: $!";
chmod 0755, $tmp;
my $reports = "$tmp/reports";
make_path($reports);

# the blocks, with the README line of their first line
open my $fh, '<', "$top/README.md" or die "README.md: $!";
my (@blocks, $cur);
while (my $l = <$fh>) {
    if (!$cur && $l =~ /^```nginx\s*$/) {
        $cur = { line => $. + 1, text => '' };
    } elsif ($cur && $l =~ /^```\s*$/) {
        push @blocks, $cur;
        undef $cur;
    } elsif ($cur) {
        $cur->{text} .= $l;
    }
}
close $fh;
ok(!$cur, 'every ```nginx block is closed');
cmp_ok(scalar @blocks, '>=', 1, scalar(@blocks) . ' nginx blocks');

my $port = 18000 + $$ % 10000;

my $n = 0;
for my $b (@blocks) {
    $n++;
    my $text = $b->{text};
    my ($inside) = $text =~ /^\s*\#.*\bfragment:\s+inside\s+
                             (http|server|location)\s*\{\s*\}/mx;

    # the fixed list of rewrites (see the top)
    $text =~ s{^(\s*load_module\s+)\S*ngx_http_article_module\.so\s*;}
              {$static ? '' : "$1$module;"}mge;
    $text =~ s{(?<![\w/.])/srv/}{$tmp/srv/}g;
    $text =~ s{(?<![\w/.])/etc/nginx/}{$tmp/etc/nginx/}g;

    my $conf = $text;
    if ($inside) {
        my $body = $text;
        $body = "location / {\n$body\n}\n" if $inside eq 'location';
        $body = "server {\nlisten 127.0.0.1:$port;\n$body\n}\n"
            if $inside ne 'http';

        my $head = '';
        if ($text =~ /\bbackend\b/ && $text !~ /\bupstream\s+backend\b/) {
            $head .= "upstream backend { server 127.0.0.1:1; }\n";
        }
        my %declared = map { $_ => 1 }
                       $text =~ /^\s*article_map\s+([\w.-]+)\s*\{/mg;
        my %used = map { $_ => 1 }
                   $text =~ /^\s*article\s+([\w.-]+)\s/mg;
        for my $map (sort keys %used) {
            next if $declared{$map};
            $head .= "article_map $map { source $tmp/srv/articles/*.txt; }\n";
        }

        $conf = ($static ? '' : "load_module $module;\n")
              . "events { }\n"
              . "http {\n$head$body\n}\n";
    }

    my $file = "$tmp/b$n.conf";
    open my $out, '>', $file or die "$file: $!";
    print $out $conf;
    close $out;

    my $cmd = "$nginx -t -p $tmp/ -c $file -e $tmp/logs/error.log 2>&1";
    my $said = do { local %ENV = (%ENV, ArticleTest::sanitizer_env($reports));
                    `$cmd` };
    my $what = $inside ? "fragment inside $inside { }" : 'complete file';

    ok($? == 0 && $said =~ /test is successful/,
       "README.md line $b->{line}: the $what passes nginx -t")
        or diag("nginx -t said:\n$said\ntested as:\n$conf");
}

# under make test-asan, nginx -t ran with the sanitizers: none reported
if ($ENV{TEST_NGINX_ASAN}) {
    my @reports = glob("$reports/*");
    ok(!@reports, 'no sanitizer report from any nginx -t')
        or diag(`cat @reports`);
}

done_testing();
