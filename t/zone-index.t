#!/usr/bin/perl

# The three "index" modes build the keys README "article_map" says:
# "file" (the name without directory and last extension), "url" (the path of webUrl as
# written, without query or fragment, not decoded; "/" when empty; a record
# without a valid webUrl is skipped and logged) and "field NAME" (the
# normalised scalar); keys with odd bytes; duplicate keys per mode; relative
# "source" paths resolve against the prefix; a zone too small fails
# "nginx -t" naming a size that is then enough.

use strict;
use warnings;
use lib 't/lib';
use Test::More;
use ArticleTest;

my $t = ArticleTest->new;
my $dir = $t->dir;

# index file

$t->write_file('byfile/plain.txt', "title: Plain\n");
$t->write_file('byfile/a.b.txt', "title: Two dots\n");
$t->write_file('byfile/x.tar.gz', "title: Tarball\n");
$t->write_file('byfile/noext', "title: No extension\n");
$t->write_file('byfile/100%25.txt', "title: Percent\n");
$t->write_file('byfile/with space.txt', "title: Space\n");
$t->write_file("byfile/caf\x{c3}\x{a9}.txt", "title: Unicode\n");
$t->write_file('byfile/sub/deep.txt', "title: Subdirectory\n");

# index url

$t->write_file('byurl/01.txt',
    "title: Query\nwebUrl: https://h.example/news/one?x=1#top\n");
$t->write_file('byurl/02.txt', "title: Root\nwebUrl: https://h.example\n");
$t->write_file('byurl/03.txt',
    "title: Encoded\nwebUrl: https://h.example/caf%C3%A9/a%2Fb\n");
$t->write_file('byurl/04.txt',
    "title: Fragment\nwebUrl: \"https://h.example/frag#x?y\"\n");
$t->write_file('byurl/05.txt',
    "title: Port\nwebUrl: http://u\@h.example:8080/port/\n");
$t->write_file('byurl/06.txt',
    "title: Bad url\nwebUrl: /news/relative\n");
$t->write_file('byurl/07.txt', "title: No url\n");
$t->write_file('byurl/08.txt',
    "title: Same path\nwebUrl: https://other.example/news/one\n");
$t->write_file('byurl/09.txt',
    "title: Query only\nwebUrl: https://q.example?a=b\n");
$t->write_file('byurl/10.txt',
    "\n---\ntitle: Unpublished\npublished: no\n"
    . "webUrl: https://h.example/hidden\n");

# index field slug

$t->write_file('byfield/a.txt', "title: Field A\nslug: simple\n");
$t->write_file('byfield/b.txt', "title: Field B\nslug: \"  two\\t words \"\n");
$t->write_file('byfield/c.txt', "title: Field C\nslug: 42\n");
$t->write_file('byfield/d.txt',
    "title: Field D\nslug: \"\x{e6}\x{97}\x{a5}\x{e6}\x{9c}\x{ac}\"\n");
$t->write_file('byfield/e.txt', "title: Field E\nslug: \"100%25\"\n");
$t->write_file('byfield/f.txt', "title: No slug\n");
$t->write_file('byfield/g.txt', "title: Empty slug\nslug: \"\"\n");
$t->write_file('byfield/h.txt', "title: Null slug\nslug: ~\n");
$t->write_file('byfield/i.txt', "title: List slug\nslug: [a]\n");
$t->write_file('byfield/j.txt', "s: &s x\ntitle: Alias slug\nslug: *s\n");
$t->write_file('byfield/k.txt', "title: Dup slug\nslug: simple\n");

# index field on a field we keep anyway

$t->write_file('bycat/a.txt', "title: Cat A\ncategory: \" World  news \"\n");
$t->write_file('bycat/b.txt', "title: Cat B\n");

$t->write_config(<<'EOF');
    article_map byfile {
        source byfile/*;
        source byfile/sub/*.txt;
    }

    article_map byurl {
        source byurl/*.txt;
        index url;
    }

    article_map byfield {
        source byfield/*.txt;
        index field slug;
    }

    article_map bycat {
        source %%TESTDIR%%/bycat/*.txt;
        index field category;
    }

    server {
        listen 127.0.0.1:%%PORT_8080%%;

        location ~ ^/file/(?<id>.+)$ {
            article byfile $id;
            return 200 "found=$article_found key=$article_key title=$article_title";
        }

        # the query argument is not decoded: the key as written
        location /url {
            article byurl $arg_k;
            return 200 "found=$article_found key=$article_key title=$article_title";
        }

        location ~ ^/field/(?<id>.+)$ {
            article byfield $id;
            return 200 "found=$article_found key=$article_key title=$article_title";
        }

        location ~ ^/cat/(?<id>.+)$ {
            article bycat $id;
            return 200 "found=$article_found title=$article_title";
        }
    }
EOF

$t->run;

my @log = split /\n/, $t->error_log;

sub served {
    my ($uri, $title, $name) = @_;

    my $r = $t->get($uri);
    if (defined $title) {
        like($r->{content}, qr/^found=1 .*title=\Q$title\E$/, $name);
    } else {
        like($r->{content}, qr/^found= /, $name);
    }
}

# the problems of one map's file, as "LINE:COL: text"
sub logged {
    my ($map, $file) = @_;

    my $path = "$dir/$file";
    return [map { /\[warn\] \d+#\d+: article_map "\Q$map\E": \Q$path\E:(\d+:\d+: .*)$/ ? $1 : "bad line: $_" }
            grep { index($_, "$path:") >= 0 } @log];
}

###############################################################################
# index file: directory and last extension stripped

served('/file/plain', 'Plain', 'file: plain.txt is "plain"');
served('/file/a.b', 'Two dots', 'file: a.b.txt is "a.b"');
served('/file/a', undef, 'file: a.b.txt is not "a"');
served('/file/x.tar', 'Tarball', 'file: x.tar.gz is "x.tar"');
served('/file/noext', 'No extension', 'file: no extension is the name');
served('/file/100%2525', 'Percent', 'file: 100%25.txt is "100%25"');
served('/file/100%25', undef, 'file: the key is not decoded');
served('/file/with%20space', 'Space', 'file: a space in the name');
served('/file/caf%C3%A9', 'Unicode', 'file: UTF-8 name');
served('/file/deep', 'Subdirectory', 'file: no directory in the key');
served('/file/sub/deep', undef, 'file: no directory in the key (2)');
like($t->get('/file/a.b')->{content}, qr/ key=a\.b /, 'file: $article_key');

###############################################################################
# index url

served('/url?k=/news/one', 'Query', 'url: query and fragment dropped');
served('/url?k=/news/one?x=1', undef, 'url: the query is not in the key');
served('/url?k=/', 'Root', 'url: no path is "/"');
served('/url?k=/caf%C3%A9/a%2Fb', 'Encoded', 'url: the path is not decoded');
served('/url?k=/caf%E9/a/b', undef, 'url: nor normalised');
served('/url?k=/frag', 'Fragment', 'url: "#" ends the path');
served('/url?k=/port/', 'Port', 'url: userinfo and port are not the path');
served('/url?k=/news/relative', undef, 'url: invalid webUrl: skipped');
served('/url?k=/hidden', undef, 'url: unpublished');

# q.example?a=b has no path: "/" again, a duplicate of 02.txt
is_deeply(logged('byurl', 'byurl/09.txt'),
          ["1:1: duplicate key \"/\", already loaded from $dir/byurl/02.txt"],
          'url: "https://q.example?a=b" is "/" too, a duplicate');

is_deeply(logged('byurl', 'byurl/06.txt'),
          ['2:9: "webUrl" is not an absolute http or https URL',
           '1:1: no valid "webUrl" for index url'],
          'url: invalid webUrl: both problems logged');
is_deeply(logged('byurl', 'byurl/07.txt'),
          ['1:1: no valid "webUrl" for index url'],
          'url: no webUrl: logged at the document start');
is_deeply(logged('byurl', 'byurl/08.txt'),
          ["1:1: duplicate key \"/news/one\", already loaded from $dir/byurl/01.txt"],
          'url: same path on another host is a duplicate');
is_deeply(logged('byurl', 'byurl/10.txt'), [],
          'url: unpublished: nothing logged');
is_deeply(logged('byurl', 'byurl/01.txt'), [], 'url: valid: nothing logged');

###############################################################################
# index field

served('/field/simple', 'Field A', 'field: plain scalar; first file wins');
served('/field/two%20words', 'Field B', 'field: the normalised value');
served('/field/42', 'Field C', 'field: a number is its text');
served('/field/%E6%97%A5%E6%9C%AC', 'Field D', 'field: UTF-8 value');
served('/field/100%2525', 'Field E', 'field: "%" kept as is');

is_deeply(logged('byfield', 'byfield/f.txt'),
          ['1:1: missing or empty key field "slug"'], 'field: missing');
is_deeply(logged('byfield', 'byfield/g.txt'),
          ['1:1: missing or empty key field "slug"'], 'field: empty');
is_deeply(logged('byfield', 'byfield/h.txt'),
          ['1:1: missing or empty key field "slug"'], 'field: null');
is_deeply(logged('byfield', 'byfield/i.txt'),
          ['2:7: "slug" is not a scalar',
           '1:1: missing or empty key field "slug"'], 'field: a sequence');
is_deeply(logged('byfield', 'byfield/j.txt'),
          ['3:7: alias in "slug" is not expanded',
           '1:1: missing or empty key field "slug"'], 'field: an alias');
is_deeply(logged('byfield', 'byfield/k.txt'),
          ["1:1: duplicate key \"simple\", already loaded from $dir/byfield/a.txt"],
          'field: duplicate');
is_deeply(logged('byfield', 'byfield/a.txt'), [], 'field: valid: nothing');

served('/cat/World%20news', 'Cat A', 'field category: normalised, kept');
is_deeply(logged('bycat', 'bycat/b.txt'),
          ['1:1: missing or empty key field "category"'],
          'field category: missing');

###############################################################################
# relative sources resolve against the prefix (-p): the log names the full
# path; absolute ones are taken as they are

ok((grep { index($_, "article_map \"byurl\": $dir/byurl/06.txt:") >= 0 }
    @log), 'relative source: FILE is the prefix-resolved path');
like($t->error_log, qr/article_map "byfile": 8 articles, 0 unpublished, 0 files skipped/,
     'byfile: eight files; the directory sub/ matched by the glob is not '
     . 'a source');
like($t->error_log, qr/article_map "bycat": 1 articles/, 'absolute source');

$t->stop;

###############################################################################
# zone too small: nginx -t fails naming the size needed; that size works

my $excerpt = 'x' x 1000;
for my $i (1 .. 2000) {
    $t->write_file(sprintf('many/%04d.txt', $i),
        "title: Article $i\nexcerpt: $excerpt $i\n"
        . "webUrl: https://example.com/news/$i\n");
}

sub zone_config {
    my ($size) = @_;

    $t->write_config(<<"EOF");
    article_map many {
        source many/*.txt;
        zone $size;
    }
EOF
}

zone_config('64k');
my ($rc, $out) = $t->test_config;
isnt($rc, 0, 'zone 64k, 2000 articles: nginx -t fails');
my ($need) = $out =~ /\[emerg\] article_map "many": zone size 64k is too small for its sources, at least (\d+)m needed/;
ok($need, 'the emerg line names the size needed') or diag($out);

zone_config(($need // 1) . 'm');
($rc, $out) = $t->test_config;
is($rc, 0, "zone ${\($need // '?')}m, the size named: nginx -t passes")
    or diag($out);
my @loaded = $t->log_lines(qr/article_map "many": \d+ articles/);
like($loaded[-1], qr/article_map "many": 2000 articles/, 'all 2000 loaded');

$t->done(allow => qr/\[emerg\] \d+#\d+: article_map "many": zone size 64k is too small/);
