#!/usr/bin/perl

# README "Search and social head": the exact block for each new directive
# alone and all together (article_jsonld, article_canonical,
# article_robots, article_twitter_site, with article_og), in the README's
# order, on the seed record and on a hostile one (quotes, backslashes,
# </script>, <!--, U+2028, U+2029, invalid UTF-8, control characters);
# the new fields (dateModified, author, images[0].alt); $article_jsonld on
# one line; article_amp_cache google for $article_cdn_amp_url and the
# redirect, with an info line for a host that has no cache URL; bad
# directive values.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;

sub esc {
    my ($s) = @_;
    $s =~ s/&/&amp;/g;
    $s =~ s/</&lt;/g;
    $s =~ s/>/&gt;/g;
    $s =~ s/"/&quot;/g;
    $s =~ s/'/&#39;/g;
    return $s;
}

sub meta { my ($a, $n, $v) = @_; qq{<meta $a="$n" content="} . esc($v) . qq{">\n} }
sub og { meta('property', @_) }
sub tw { meta('name', @_) }
sub lnk { my ($rel, $v) = @_; qq{<link rel="$rel" href="} . esc($v) . qq{">\n} }

###############################################################################
# the seed record

$t->copy_data('000_3aa483876b51293a.txt', 'arts');

my %seed = (
    title => "TikTok \xe2\x80\x98Gets Facial Recognition\xe2\x80\x99 On "
             . "Americans And Sends To China\xe2\x80\x94Trump Official",
    excerpt => "The threat of a U.S. ban on TikTok has become more real, with "
               . "the latest warning from Trump's National Security Adviser.",
    url => 'https://www.forbes.com/sites/zakdoffman/2020/07/15/'
           . 'tiktok-trump-warning-facial-recognition-data-sends-china-ban/',
    image => 'https://thumbor.forbes.com/thumbor/fit-in/1200x0/filters%3A'
             . 'format%28jpg%29/https%3A%2F%2Fspecials-images.forbesimg.com'
             . '%2Fimageserve%2F5e1577c1888ec0000690735b%2F0x0.jpg%3FcropX1'
             . '%3D573%26cropX2%3D3130%26cropY1%3D504%26cropY2%3D2061',
);
$seed{amp} = $seed{url} . 'amp/';

my $SEED_OG = og('og:type', 'article')
    . og('og:title', $seed{title}) . og('og:description', $seed{excerpt})
    . og('og:url', $seed{url}) . og('og:site_name', 'Forbes')
    . og('og:image', $seed{image}) . og('og:image:width', 1200)
    . og('og:image:height', 731)
    . og('article:published_time', '2020-07-15T09:45:00Z')
    . og('article:section', 'news') . og('article:tag', 'Computer Vision')
    . og('article:tag', 'AI');
my $SEED_CARD = tw('twitter:card', 'summary_large_image');
my $SEED_TW = tw('twitter:title', $seed{title})
    . tw('twitter:description', $seed{excerpt})
    . tw('twitter:image', $seed{image}) . lnk('amphtml', $seed{amp});
my $SITE = tw('twitter:site', '@news&co');
my $CANON = lnk('canonical', $seed{url});
my $ROBOTS = tw('robots', 'max-image-preview:large, "x"');

my $SEED_LD = '<script type="application/ld+json">{"@context":'
    . '"https://schema.org","@type":"NewsArticle",'
    . qq|"headline":"$seed{title}",|
    . q|"description":"The threat of a U.S. ban on TikTok has become more |
    . q|real, with the latest warning from Trump's National Security |
    . q|Adviser.",|
    . qq|"url":"$seed{url}","mainEntityOfPage":{"\@type":"WebPage",|
    . qq|"\@id":"$seed{url}"},|
    . qq|"image":{"\@type":"ImageObject","url":"$seed{image}",|
    . q|"width":1200,"height":731},|
    . q|"datePublished":"2020-07-15T09:45:00Z",|
    . q|"publisher":{"@type":"Organization","name":"Forbes"},|
    . q|"articleSection":"news","keywords":["Computer Vision","AI"]}|
    . "</script>\n";

###############################################################################
# a hostile record: every text field holds what could break out

$t->write_file('arts/evil.txt', <<"EOF");
title: "Q \\" B \\\\ </script> <!-- \\u2028 \\u2029 & <b>\\ttab\\x01"
excerpt: "bad utf-8 \\xff here"
webUrl: "https://evil.example/a?x=1&y='2'"
dateModified: "2024-05-02T08:00:00Z"
author:
  - "Jane \\"JD\\" Doe"
  - name: "John </script>"
    url: https://evil.example/john
images:
  - url: https://evil.example/i.jpg
    alt: "A cat & <dog> \\"x\\""
    width: "0640"
EOF

# the parser's own view of those values (YAML escapes; \x01 and TAB become
# spaces; \xff in a double-quoted YAML string is U+00FF, valid UTF-8)
my $EVIL_TITLE = "Q \" B \\ </script> <!-- \xe2\x80\xa8 \xe2\x80\xa9 & <b> tab";
my $EVIL_LD = '<script type="application/ld+json">{"@context":'
    . '"https://schema.org","@type":"NewsArticle",'
    . q|"headline":"Q \" B \\\\ \u003c/script\u003e \u003c!-- \u2028 |
    . q|\u2029 \u0026 \u003cb\u003e tab",|
    . qq|"description":"bad utf-8 \xc3\xbf here",|
    . q|"url":"https://evil.example/a?x=1\u0026y='2'",|
    . q|"mainEntityOfPage":{"@type":"WebPage",|
    . q|"@id":"https://evil.example/a?x=1\u0026y='2'"},|
    . q|"image":{"@type":"ImageObject","url":"https://evil.example/i.jpg",|
    . q|"width":640},|
    . q|"dateModified":"2024-05-02T08:00:00Z",|
    . q|"author":[{"@type":"Person","name":"Jane \"JD\" Doe"},|
    . q|{"@type":"Person","name":"John \u003c/script\u003e",|
    . q|"url":"https://evil.example/john"}]}|
    . "</script>\n";

my $EVIL_OG = og('og:type', 'article') . og('og:title', $EVIL_TITLE)
    . og('og:description', "bad utf-8 \xc3\xbf here")
    . og('og:url', "https://evil.example/a?x=1&y='2'")
    . og('og:image', 'https://evil.example/i.jpg')
    . og('og:image:width', '0640')
    . og('og:image:alt', 'A cat & <dog> "x"')
    . og('article:modified_time', '2024-05-02T08:00:00Z')
    . og('article:author', 'Jane "JD" Doe')
    . og('article:author', 'https://evil.example/john')
    . tw('twitter:card', 'summary_large_image')
    . tw('twitter:title', $EVIL_TITLE)
    . tw('twitter:description', "bad utf-8 \xc3\xbf here")
    . tw('twitter:image', 'https://evil.example/i.jpg')
    . tw('twitter:image:alt', 'A cat & <dog> "x"');

# raw bytes that YAML cannot carry: a record with invalid UTF-8 in a
# single-quoted scalar is refused by libyaml, so JSON-LD's own \ufffd is
# a unit test (t/unit/test_jsonld.c)

# AMP cache: an AMP URL only, one with a host that has no cache URL
$t->write_file('arts/amp.txt', "title: A\nampWebUrl: https://Hello-World.com"
               . "/amp/a?x=1\n");
$t->write_file('arts/badhost.txt', "title: B\nampWebUrl: https://a_b.example"
               . "/amp/b\n");
$t->write_file('arts/both.txt', "title: C\nampWebUrl: https://c.example/amp\n"
               . "cdnAmpWebUrl: https://c-example.cdn.ampproject.org/c/s/"
               . "c.example/amp\n");

my $PRE = "<!DOCTYPE html>\n<html><head>\n<title>Page</title>\n";
my $POST = "</head>\n<body><p>x</p></body></html>\n";
$t->write_file('html/page.html', $PRE . $POST);

###############################################################################

$t->write_config(<<'EOF');
    types {
        text/html  html;
    }

    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;
        root %%TESTDIR%%/html;

        location ~ ^/og/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_og on;
            alias %%TESTDIR%%/html$f;
        }

        location ~ ^/jsonld/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_jsonld on;
            alias %%TESTDIR%%/html$f;
        }

        location ~ ^/canonical/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_canonical on;
            alias %%TESTDIR%%/html$f;
        }

        location ~ ^/robots/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_robots 'max-image-preview:large, "x"';
            alias %%TESTDIR%%/html$f;
        }

        location ~ ^/site/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_twitter_site '@news&co';
            alias %%TESTDIR%%/html$f;
        }

        location ~ ^/all/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_og on;
            article_jsonld on;
            article_canonical on;
            article_robots 'max-image-preview:large, "x"';
            article_twitter_site '@news&co';
            alias %%TESTDIR%%/html$f;
        }

        location ~ ^/ogcanon/(?<id>[^/]+)(?<f>/.*)$ {
            article news $id;
            article_og on;
            article_canonical on;
            article_jsonld on;
            alias %%TESTDIR%%/html$f;
        }

        location ~ ^/var/(?<id>[^/]+)$ {
            article news $id;
            add_header X-LD $article_jsonld;
            return 200 "$article_jsonld|";
        }

        location ~ ^/cdn/(?<id>[^/]+)$ {
            article news $id;
            article_amp_cache google;
            return 200 "$article_cdn_amp_url|$article_amp_target|";
        }

        location ~ ^/nocdn/(?<id>[^/]+)$ {
            article news $id;
            return 200 "$article_cdn_amp_url|$article_amp_target|";
        }

        location ~ ^/redirect/(?<id>[^/]+)$ {
            article news $id;
            article_amp on;
            article_amp_cache google;
            try_files /page.html =404;
        }
    }
EOF

$t->run;

my $ID = '000_3aa483876b51293a';

sub block_is {
    my ($uri, $block, $name) = @_;
    my $r = $t->get($uri);
    is($r->{status}, 200, "$name: 200");
    same($r->{content}, $PRE . $block . $POST, "$name: the exact block");
}

block_is("/og/$ID/page.html", $SEED_OG . $SEED_CARD . $SEED_TW,
         'seed, article_og alone (as before)');
block_is("/jsonld/$ID/page.html", $SEED_LD, 'seed, article_jsonld alone');
block_is("/canonical/$ID/page.html", $CANON, 'seed, article_canonical alone');
block_is("/robots/$ID/page.html", $ROBOTS, 'seed, article_robots alone');
block_is("/site/$ID/page.html", $SITE, 'seed, article_twitter_site alone');
block_is("/all/$ID/page.html",
         $SEED_OG . $SEED_CARD . $SITE . $SEED_TW . $CANON . $ROBOTS
         . $SEED_LD, 'seed, everything: the README order');
block_is("/ogcanon/$ID/page.html",
         $SEED_OG . $SEED_CARD . $SEED_TW . $CANON . $SEED_LD,
         'seed, og + canonical + jsonld');

block_is('/jsonld/evil/page.html', $EVIL_LD, 'hostile, article_jsonld');
block_is('/og/evil/page.html', $EVIL_OG, 'hostile, article_og: new fields');
my $all = $t->get('/all/evil/page.html')->{content};
my $want = $EVIL_OG;
$want =~ s/(<meta name="twitter:card"[^\n]*\n)/$1$SITE/;
same($all, $PRE . $want . lnk('canonical',
     "https://evil.example/a?x=1&y='2'") . $ROBOTS . $EVIL_LD . $POST,
     'hostile, everything');

# a record without webUrl: no canonical line at all
block_is('/canonical/amp/page.html', '', 'no webUrl: article_canonical '
         . 'writes nothing');
my $r;

# $article_jsonld: the script on one line, as a header too
$r = $t->get("/var/$ID");
(my $one = $SEED_LD) =~ s/\n\z//;
is($r->{content}, "$one|", '$article_jsonld: the script, no line end');
is($r->{headers}{'x-ld'}, $one, '$article_jsonld in a header');
$r = $t->get('/var/evil');
(my $evil_one = $EVIL_LD) =~ s/\n\z//;
is($r->{content}, "$evil_one|", '$article_jsonld of the hostile record');
unlike($r->{content}, qr{</script>.*</script>}s,
       'no value closes the script');
$r = $t->get('/var/none');
is($r->{content}, '|', '$article_jsonld of no article is empty');

# article_amp_cache google
my $CACHE = 'https://hello--world-com.cdn.ampproject.org/c/s/hello-world.com'
    . '/amp/a?x=1';
$r = $t->get('/cdn/amp');
is($r->{content}, "$CACHE|$CACHE|", 'amp_cache google: the derived URL');
$r = $t->get('/nocdn/amp');
is($r->{content}, '|https://Hello-World.com/amp/a?x=1|',
   'amp_cache off: none, the target is ampWebUrl');
$r = $t->get('/cdn/both');
is($r->{content}, 'https://c-example.cdn.ampproject.org/c/s/c.example/amp|'
   . 'https://c-example.cdn.ampproject.org/c/s/c.example/amp|',
   'a record with cdnAmpWebUrl keeps it');
$r = $t->get('/cdn/badhost');
is($r->{content}, '|https://a_b.example/amp/b|',
   'a host that is no name: no derived URL, ampWebUrl is the target');

my $PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) '
    . 'AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 '
    . 'Safari/604.1';
$r = $t->get('/redirect/amp', headers => { 'User-Agent' => $PHONE });
is($r->{status}, 302, 'amp_cache google: a phone is redirected');
is($r->{headers}{location}, $CACHE, '... to the derived cache URL');

like($t->error_log, qr/\[info\].*article_map "news": \S+badhost\.txt:1:1: no AMP cache URL: "ampWebUrl" has no valid host name/,
     'the host without a cache URL is logged (info)');
unlike($t->error_log, qr/\[warn\].*badhost/, 'and it is no problem');

$t->done;
