#!/usr/bin/perl

# article_jsonld read back by a real JSON-LD processor: the npm package
# jsonld (pinned in t/jsonld/package.json, installed on first run) parses
# the script's text as JSON and expands it against the schema.org context
# shipped in t/jsonld/schema-context.jsonld (safe mode: no property may
# be dropped); the expanded NewsArticle matches the record field by field,
# for the seed record and for hostile ones (quotes, backslashes,
# </script>, <!--, U+2028, U+2029, control characters, 16 authors).

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use JSON::PP;
use ArticleTest;

my $DIR = 't/jsonld';

my $node = `node --version 2>/dev/null` // '';
plan(skip_all => 'node is not installed') unless $node =~ /^v(\d+)/;
plan(skip_all => "node $node is too old for jsonld (>= 18)") if $1 < 18;

my $npm_lock = ArticleTest::npm_lock($DIR);
unless (-f "$DIR/node_modules/jsonld/package.json") {
    plan(skip_all => 'npm is not installed')
        unless `npm --version 2>/dev/null`;

    my $cmd = -f "$DIR/package-lock.json" ? 'ci' : 'install';
    my $out = `cd $DIR && npm $cmd --no-audit --no-fund --loglevel=error 2>&1`;
    plan(skip_all => "npm $cmd of jsonld failed: $out")
        if $? != 0 || !-f "$DIR/node_modules/jsonld/package.json";
}
close $npm_lock;

my $t = ArticleTest->new;

$t->copy_data('000_3aa483876b51293a.txt', 'arts');

# the records, and what each field must read back as (UTF-8 bytes)
my %want;

$want{'000_3aa483876b51293a'} = {
    headline => "TikTok \xe2\x80\x98Gets Facial Recognition\xe2\x80\x99 On "
                . "Americans And Sends To China\xe2\x80\x94Trump Official",
    description => "The threat of a U.S. ban on TikTok has become more real, "
                   . "with the latest warning from Trump's National Security "
                   . "Adviser.",
    url => 'https://www.forbes.com/sites/zakdoffman/2020/07/15/'
           . 'tiktok-trump-warning-facial-recognition-data-sends-china-ban/',
    image => 'https://thumbor.forbes.com/thumbor/fit-in/1200x0/filters%3A'
             . 'format%28jpg%29/https%3A%2F%2Fspecials-images.forbesimg.com'
             . '%2Fimageserve%2F5e1577c1888ec0000690735b%2F0x0.jpg%3FcropX1'
             . '%3D573%26cropX2%3D3130%26cropY1%3D504%26cropY2%3D2061',
    width => 1200, height => 731,
    datePublished => '2020-07-15T09:45:00Z',
    publisher => 'Forbes', articleSection => 'news',
    keywords => [ 'Computer Vision', 'AI' ],
};

$t->write_file('arts/evil.txt', <<"EOF");
title: "Q \\" B \\\\ </script> <!-- \\u2028 \\u2029 & <b>\\ttab\\x01\\x7f end"
excerpt: "</SCRIPT><script>alert(1)</script> \\u2028\\u2029 \\\\u2028"
webUrl: "https://evil.example/a?x=1&y='2'"
publishedDateTime: "2024-05-01T10:00:00Z"
dateModified: "2024-05-02T08:00:00Z"
category: "<!--cat-->"
provider:
  name: "P \\"&\\" <p>"
author:
  - "Jane \\"JD\\" Doe"
  - name: "John </script>"
    url: https://evil.example/john
images:
  - url: https://evil.example/i.jpg?a=1&b=2
    width: "0640"
    height: 480
topics:
  - "</script>"
  - "\\u2028"
  - "a\\\\b"
EOF

$want{evil} = {
    headline => "Q \" B \\ </script> <!-- \xe2\x80\xa8 \xe2\x80\xa9 & <b> tab "
                . "end",
    description => "</SCRIPT><script>alert(1)</script> \xe2\x80\xa8"
                   . "\xe2\x80\xa9 \\u2028",
    url => "https://evil.example/a?x=1&y='2'",
    image => 'https://evil.example/i.jpg?a=1&b=2', width => 640,
    height => 480,
    datePublished => '2024-05-01T10:00:00Z',
    dateModified => '2024-05-02T08:00:00Z',
    publisher => 'P "&" <p>', articleSection => '<!--cat-->',
    keywords => [ '</script>', "\xe2\x80\xa8", 'a\\b' ],
    author => [ [ 'Jane "JD" Doe' ],
                [ 'John </script>', 'https://evil.example/john' ] ],
};

$t->write_file('arts/many.txt', "title: Many\nauthor:\n"
               . join('', map { "  - name: A$_\n    url: https://a.example/$_\n" }
                      1 .. 20));
$want{many} = { headline => 'Many',
                author => [ map { [ "A$_", "https://a.example/$_" ] } 1 .. 16 ] };

$t->write_file('arts/bare.txt', "title: Bare\n");
$want{bare} = { headline => 'Bare' };

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/ld/(?<id>[^/]+)$ {
            article news $id;
            return 200 "$article_jsonld\n";
        }
    }
EOF

$t->run;

my @ids = sort keys %want;
my $json = JSON::PP->new->ascii->canonical;

open(my $fh, '>', $t->dir . '/pages') or die;
for my $id (@ids) {
    my $page = $t->get("/ld/$id")->{content};
    utf8::decode($page);
    print $fh $json->encode($page), "\n";
}
close $fh;

my @out = map { decode_json($_) } split /\n/,
    `node $DIR/expand.js < @{[ $t->dir ]}/pages`;
is(scalar @out, scalar @ids, 'one expansion per record');

my $S = 'https://schema.org/';

sub val { my ($node, $p) = @_; [ map { $_->{'@value'} // $_->{'@id'} }
                                 @{ $node->{"$S$p"} || [] } ] }

sub dec { my ($s) = @_; utf8::decode($s); $s }

for my $i (0 .. $#ids) {
    my ($id, $w, $o) = ($ids[$i], $want{$ids[$i]}, $out[$i]);

    ok(!$o->{error}, "$id: valid JSON, expanded")
        or diag(explain $o);
    my $n = $o->{expanded} && $o->{expanded}[0] || {};

    is_deeply($n->{'@type'}, ["${S}NewsArticle"], "$id: a NewsArticle");

    for my $p (qw(headline description datePublished dateModified
                  articleSection))
    {
        is_deeply(val($n, $p), defined $w->{$p} ? [ dec($w->{$p}) ] : [],
                  "$id: $p");
    }

    is_deeply(val($n, 'url'), $w->{url} ? [ $w->{url} ] : [], "$id: url");
    my $page = $n->{"${S}mainEntityOfPage"} || [];
    is_deeply([ map { @{ val($_, 'url') }, $_->{'@id'} // () } @$page ],
              $w->{url} ? [ $w->{url} ] : [], "$id: mainEntityOfPage");

    my ($img) = @{ $n->{"${S}image"} || [] };
    is_deeply($img ? [ @{ val($img, 'url') }, @{ val($img, 'width') },
                       @{ val($img, 'height') } ] : [],
              $w->{image} ? [ $w->{image}, grep { defined } $w->{width},
                              $w->{height} ] : [], "$id: image");

    my ($pub) = @{ $n->{"${S}publisher"} || [] };
    is_deeply($pub ? val($pub, 'name') : [],
              $w->{publisher} ? [ dec($w->{publisher}) ] : [],
              "$id: publisher");

    is_deeply([ sort @{ val($n, 'keywords') } ],
              [ sort map { dec($_) } @{ $w->{keywords} || [] } ],
              "$id: keywords");

    is_deeply([ map { [ @{ val($_, 'name') }, @{ val($_, 'url') } ] }
                @{ $n->{"${S}author"} || [] } ],
              [ map { [ map { dec($_) } @$_ ] } @{ $w->{author} || [] } ],
              "$id: author");
}

$t->done;
