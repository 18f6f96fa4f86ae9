#!/usr/bin/perl

# The record's variables, looked up by the "article" directive's key, in
# return, add_header and if.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;

$t->copy_data('000_3aa483876b51293a.txt', 'arts');

$t->write_config(<<'EOF');
    article_map news {
        source arts/*.txt;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/a/(?<id>[^/]+)$ {
            article news $id;
            add_header X-Title $article_title;
            return 200 "found=$article_found
key=$article_key
title=$article_title
excerpt=$article_excerpt
url=$article_url
amp=$article_amp_url
cdn=$article_cdn_amp_url
image=$article_image
time=$article_published_time
site=$article_site_name
source=$article_source
";
        }

        location /none {
            return 200 "found=$article_found title=$article_title";
        }

        location ~ ^/if/(?<id>.+)$ {
            article news $id;
            if ($article_found) {
                return 200 "yes";
            }
            return 404;
        }
    }
EOF

$t->run;

my $r = $t->get('/a/000_3aa483876b51293a');
is($r->{status}, 200, 'found: 200');
like($r->{content}, qr/^found=1$/m, '$article_found is 1');
like($r->{content}, qr/^key=000_3aa483876b51293a$/m, '$article_key');
like($r->{content}, qr/^title=TikTok \x{e2}\x{80}\x{98}Gets Facial Recognition\x{e2}\x{80}\x{99} On Americans And Sends To China\x{e2}\x{80}\x{94}Trump Official$/m,
     '$article_title, UTF-8 as stored');
like($r->{content}, qr/^excerpt=The threat of a U\.S\. ban on TikTok has become more real, with the latest warning from Trump's National Security Adviser\.$/m,
     '$article_excerpt');
like($r->{content}, qr{^url=https://www\.forbes\.com/sites/zakdoffman/2020/07/15/tiktok-trump-warning-facial-recognition-data-sends-china-ban/$}m,
     '$article_url');
like($r->{content}, qr{^amp=https://www\.forbes\.com/sites/zakdoffman/2020/07/15/tiktok-trump-warning-facial-recognition-data-sends-china-ban/amp/$}m,
     '$article_amp_url');
like($r->{content}, qr{^cdn=https://www-forbes-com\.cdn\.ampproject\.org/c/s/www\.forbes\.com/sites/zakdoffman/2020/07/15/tiktok-trump-warning-facial-recognition-data-sends-china-ban/amp/$}m,
     '$article_cdn_amp_url');
like($r->{content}, qr{^image=https://thumbor\.forbes\.com/thumbor/fit-in/1200x0/filters%3Aformat%28jpg%29/\S+cropY2%3D2061$}m,
     '$article_image is images[0].url');
like($r->{content}, qr/^time=2020-07-15T09:45:00Z$/m, '$article_published_time');
like($r->{content}, qr/^site=Forbes$/m, '$article_site_name is provider.name');
like($r->{content}, qr/^source=shm$/m, '$article_source is shm');
like($r->{headers}{'x-title'}, qr/^TikTok/, 'variable in add_header');

$r = $t->get('/a/missing');
like($r->{content}, qr/^found=\n/, 'unknown key: $article_found empty');
like($r->{content}, qr/^title=\n/m, 'unknown key: $article_title empty');
like($r->{content}, qr/^key=missing$/m, 'unknown key: $article_key still set');
like($r->{content}, qr/^source=\n/m, 'unknown key: $article_source empty');

$r = $t->get('/none');
is($r->{content}, 'found= title=', 'no article directive: empty');

is($t->get('/if/000_3aa483876b51293a')->{content}, 'yes', 'in if: found');
is($t->get('/if/nope')->{status}, 404, 'in if: not found');

$t->done;
