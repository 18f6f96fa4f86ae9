
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The head pass of article_og_replace.  A small HTML tokenizer: text,
 * start and end tags with their attributes (any case, any order, double,
 * single or no quotes), comments, and the raw text of script, style,
 * title, textarea and noscript, in which nothing is a tag.  A tag that may
 * go (meta, link, script while the kinds ask for them) is held from its
 * '<' until it is settled: dropped, or kept.  What is kept goes on as
 * PASS, pointing into the input, cut only around the elements dropped;
 * only an element still open at the end of an input buffer is copied, and
 * told as HELD once kept.  An element dropped goes only if the "</head>"
 * follows: from it on, all waits until then.  Past ART_STRIP_MAX
 * bytes, or from <body> on, nothing more is removed (what waited goes
 * on unchanged), and the pass only looks for "</head>".  Nothing inside
 * a <template> is removed.
 *
 * A tag all in the input is read in one go (art_strip_tag()), as is the
 * end tag of a raw text; the byte-by-byte states below read the rest: a
 * tag cut by the end of an input, an end tag, a comment.
 */


#include <string.h>

#include "art_strip_int.h"


void
art_strip_init(art_strip_t *s, unsigned kinds, art_alloc_t alloc,
    art_strip_emit_pt emit, void *data)
{
    memset(s, 0, sizeof(art_strip_t));

    s->kinds = kinds;
    s->alloc = alloc;
    s->emit = emit;
    s->data = data;
    s->attr = -1;
}


int
art_strip_feed(art_strip_t *s, const unsigned char *p,
    const unsigned char *last)
{
    size_t                n, held, dashes;
    art_cur_t             cur;
    unsigned char         ch;
    const unsigned char  *q, *r;

    cur.s = s;
    cur.span = p;
    cur.hstart = p;
    cur.wstart = NULL;
    cur.ndrop = 0;

    while (p < last && !s->done) {

        switch (s->state) {

        case S_TEXT:
            /* tag after tag read in one go, without leaving this loop */
            do {
                /* between tags, the next '<' is mostly a byte or two away */
                r = (last - p > 4) ? p + 4 : last;

                for (q = p; q < r && *q != '<'; q++) { /* void */ }

                if (q == r) {
                    q = (r < last) ? memchr(r, '<', last - r) : NULL;
                }

                if (q == NULL) {
                    s->pos += last - p;
                    p = last;
                    break;
                }

                s->pos += q - p;
                p = q;

                if (art_strip_tag(&cur, p, last, &r) != ART_OK) {
                    return ART_ERROR;
                }

                if (r == NULL) {
                    /* byte by byte: held from the '<' on */
                    s->holding = 1;
                    s->nhold = 0;
                    cur.hstart = p;

                    s->state = S_LT;
                    s->cand = 0;
                    s->end_tag = 0;
                    s->pos++;
                    p++;
                    break;
                }

                p = r;

            } while (s->state == S_TEXT && p < last);

            continue;

        case S_BOGUS:
            q = memchr(p, '>', last - p);

            if (q == NULL) {
                s->pos += last - p;
                p = last;
                continue;
            }

            s->pos += q + 1 - p;
            p = q + 1;
            s->state = S_TEXT;
            continue;

        case S_ABEFORE:
        case S_ANAME:
        case S_AAFTER:
        case S_ABVAL:
        case S_AUNQ:
            if (s->cand) {
                break;                    /* its attributes: byte by byte */
            }

            /* a tag that stays: only its end matters */
            q = art_strip_skip(s, p, last);

            if (q == NULL) {
                s->pos += last - p;
                p = last;
                continue;
            }

            s->pos += q - p;
            p = q;

            if (art_strip_tag_end(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            continue;

        case S_ADQ:
        case S_ASQ:
            if (s->attr >= 0 && s->cand) {
                break;                    /* a value kept: byte by byte */
            }

            q = memchr(p, (s->state == S_ADQ) ? '"' : '\'', last - p);

            if (q == NULL) {
                s->pos += last - p;
                p = last;
                continue;
            }

            s->pos += q + 1 - p;
            p = q + 1;
            s->attr = -1;
            s->state = S_ABEFORE;
            continue;

        case S_COMMENT:
            /* "-->": a '>' after two dashes, which may lie in earlier input */
            q = memchr(p, '>', last - p);

            for (r = (q != NULL) ? q : last; r > p && r[-1] == '-'; r--) {
                /* void */
            }

            dashes = ((q != NULL) ? q : last) - r;

            if (r == p) {
                dashes += s->sub;
            }

            if (q == NULL) {
                s->sub = dashes;
                s->pos += last - p;
                p = last;
                continue;
            }

            s->pos += q + 1 - p;
            p = q + 1;

            if (dashes >= 2) {
                s->state = S_TEXT;
            }

            s->sub = 0;
            continue;

        case S_RAW:
            if (s->rawm != 0) {
                break;
            }

            q = memchr(p, '<', last - p);

            if (q == NULL) {
                s->pos += last - p;
                p = last;
                continue;
            }

            n = 2 + s->nraw;

            if ((size_t) (last - q) <= n) {
                /* too near the end to tell: byte by byte */
                s->pos += q + 1 - p;
                p = q + 1;
                s->rawm = 1;
                continue;
            }

            /* "</", the element's name in any case, and the byte after it */
            ch = q[n];

            if (q[1] != '/' || !(art_strip_class[ch] & C_NAME_END)
                || art_strip_word(q + 2, s->nraw) != s->word)
            {
                s->pos += q + 1 - p;
                p = q + 1;
                continue;
            }

            if (s->ld) {
                s->content_end = s->nhold + (q - cur.hstart);
            }

            /* to its '>' */
            r = art_strip_find1(q + n, last, '>');

            if (r == last) {
                s->pos += last - p;
                p = last;
                s->state = S_RAWEND;
                continue;
            }

            s->pos += r + 1 - p;
            p = r + 1;

            if (art_strip_raw_end(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            continue;

        default:
            break;
        }

        ch = *p;

        switch (s->state) {

        case S_LT:
            if (ch == '!') {
                s->state = S_BANG;
                break;
            }

            if (ch == '/') {
                s->state = S_ENDLT;
                break;
            }

            if (art_alpha(ch)) {
                s->name[0] = art_lc(ch);
                s->nname = 1;
                s->state = S_NAME;
                break;
            }

            /* a '<' of text; the next one may start a tag */
            if (art_hold_keep(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            s->state = S_TEXT;
            continue;

        case S_ENDLT:
            if (art_alpha(ch)) {
                s->name[0] = art_lc(ch);
                s->nname = 1;
                s->end_tag = 1;
                s->state = S_ENDNAME;
                break;
            }

            if (art_hold_keep(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            s->state = S_BOGUS;
            continue;

        case S_NAME:
        case S_ENDNAME:
            if (!(art_strip_class[ch] & 1)) {
                for (q = p; p < last && !(art_strip_class[*p] & 1); p++) {
                    if (s->nname < ART_STRIP_NAME) {
                        s->name[s->nname] = art_lc(*p);
                    }

                    s->nname++;
                }

                s->pos += p - q;
                continue;
            }

            if (s->state == S_ENDNAME) {
                if (art_is(s->name, s->nname, "head")) {
                    /* the block goes before the "</head" held */
                    if ((s->nhold == 0 && cur.hstart > cur.span
                         && art_strip_out(&cur, ART_STRIP_PASS, cur.span,
                                          cur.hstart - cur.span) != ART_OK)
                        || art_strip_settle(&cur) != ART_OK
                        || s->emit(s->data, ART_STRIP_HEAD, p, 0) != ART_OK
                        || art_hold_keep(&cur, p) != ART_OK)
                    {
                        return ART_ERROR;
                    }

                    cur.span = cur.hstart;
                    s->done = 1;
                    continue;
                }

                if (art_is(s->name, s->nname, "template") && s->tmpl) {
                    s->tmpl--;
                }

                if (art_hold_keep(&cur, p) != ART_OK) {
                    return ART_ERROR;
                }

                s->state = S_BOGUS;
                continue;
            }

            art_strip_name_end(s, (s->nname <= ART_STRIP_NAME)
                                  ? art_strip_word(s->name, s->nname)
                                  : W_OTHER);

            if ((s->gave_up && art_strip_release(&cur, s) != ART_OK)
                || (!s->cand && art_hold_keep(&cur, p) != ART_OK))
            {
                return ART_ERROR;
            }

            s->state = S_ABEFORE;
            continue;

        case S_BANG:
            if (ch == '-') {
                s->state = S_BANG_DASH;
                break;
            }

            if (art_hold_keep(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            s->state = S_BOGUS;
            continue;

        case S_BANG_DASH:
            if (art_hold_keep(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            if (ch == '-') {
                s->state = S_COMMENT;
                s->sub = 2;               /* "<!-->" ends at once */
                break;
            }

            s->state = S_BOGUS;
            continue;

        case S_ABEFORE:
        case S_AAFTER:
            if (art_ws(ch) || ch == '/') {
                if (ch == '/') {
                    s->state = S_ABEFORE;
                }

                break;
            }

            if (ch == '>') {
                s->pos++;
                p++;

                if (art_strip_tag_end(&cur, p) != ART_OK) {
                    return ART_ERROR;
                }

                continue;
            }

            if (ch == '=' && s->state == S_AAFTER) {
                s->state = S_ABVAL;
                break;
            }

            s->aname[0] = art_lc(ch);
            s->naname = 1;
            s->state = S_ANAME;
            break;

        case S_ANAME:
            if (!art_strip_class[ch]) {
                for (q = p; p < last && !art_strip_class[*p]; p++) {
                    if (s->naname < ART_STRIP_NAME) {
                        s->aname[s->naname] = art_lc(*p);
                    }

                    s->naname++;
                }

                s->pos += p - q;
                continue;
            }

            art_strip_attr_name(s, s->aname, s->naname);
            s->state = (ch == '=') ? S_ABVAL : S_AAFTER;

            if (ch == '=') {
                break;
            }

            continue;

        case S_ABVAL:
            if (art_ws(ch)) {
                break;
            }

            if (ch == '"') {
                s->state = S_ADQ;
                break;
            }

            if (ch == '\'') {
                s->state = S_ASQ;
                break;
            }

            if (ch == '>') {
                s->state = S_ABEFORE;
                continue;
            }

            s->state = S_AUNQ;
            continue;

        case S_ADQ:
        case S_ASQ:
        case S_AUNQ:
            if ((s->state == S_ADQ && ch == '"')
                || (s->state == S_ASQ && ch == '\''))
            {
                s->attr = -1;
                s->state = S_ABEFORE;
                break;
            }

            if (s->state == S_AUNQ && (art_ws(ch) || ch == '>')) {
                s->attr = -1;
                s->state = S_ABEFORE;
                continue;
            }

            if (s->attr >= 0 && s->cand) {
                for (q = p;
                     p < last
                     && !(s->state == S_ADQ ? *p == '"'
                          : s->state == S_ASQ ? *p == '\''
                          : (art_ws(*p) || *p == '>'));
                     p++)
                {
                    if (s->nval[s->attr] < ART_STRIP_VALUE) {
                        s->val[s->attr][s->nval[s->attr]] = art_lc(*p);
                    }

                    s->nval[s->attr]++;
                }

                s->pos += p - q;
                continue;
            }

            break;

        case S_RAW:
            /* s->rawm >= 1: "</" and the element's name, any case */
            if (s->rawm == 1 ? ch == '/'
                : art_lc(ch) == s->raw[s->rawm - 2])
            {
                if (++s->rawm == 2 + s->nraw) {
                    s->state = S_RAWD;
                }

                break;
            }

            s->rawm = 0;
            continue;

        case S_RAWD:
            if (!(art_ws(ch) || ch == '/' || ch == '>')) {
                s->rawm = 0;
                s->state = S_RAW;
                continue;
            }

            if (s->ld) {
                held = s->nhold + (p - cur.hstart);
                s->content_end = held - (2 + s->nraw);
            }

            s->state = S_RAWEND;
            continue;

        case S_RAWEND:
            if (ch != '>') {
                break;
            }

            s->pos++;
            p++;

            if (art_strip_raw_end(&cur, p) != ART_OK) {
                return ART_ERROR;
            }

            continue;
        }

        s->pos++;
        p++;
    }

    if (s->holding && (s->cand || s->ld) && s->pos > ART_STRIP_MAX) {
        /* no element is held past the bound: it stays, and all after it */
        if (art_hold_keep(&cur, p) != ART_OK) {
            return ART_ERROR;
        }

        s->gave_up = 1;
        s->cand = 0;
        s->ld = 0;
    }

    if (s->holding) {
        if (art_hold_sync(&cur, p) != ART_OK) {
            return ART_ERROR;
        }

    } else if (last > cur.span
               && art_strip_out(&cur, ART_STRIP_PASS, cur.span,
                                last - cur.span)
                  != ART_OK)
    {
        return ART_ERROR;
    }

    /* what still waits for the "</head>" is copied: the input goes */
    return art_strip_flush(&cur);
}


int
art_strip_end(art_strip_t *s)
{
    /* no "</head>": nothing goes */
    if (art_strip_release(NULL, s) != ART_OK) {
        return ART_ERROR;
    }

    if (s->holding && s->nhold
        && s->emit(s->data, ART_STRIP_HELD, s->hold, s->nhold) != ART_OK)
    {
        return ART_ERROR;
    }

    s->holding = 0;
    s->nhold = 0;
    s->done = 1;

    return ART_OK;
}
