
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * Reads URLs, one a line, and prints the AMP cache URL the core derives
 * for each, or "-" and the reason.  Built and run by t/amp-cache.t.
 */


#include <stdio.h>
#include <string.h>

#include "art_amp.h"


int
main(void)
{
    char            line[8192];
    size_t          n, len;
    const char     *err;
    unsigned char   out[ART_MAX_URL];

    while (fgets(line, sizeof(line), stdin) != NULL) {
        n = strcspn(line, "\n");
        err = "";
        len = art_amp_cache_url((unsigned char *) line, n, out, &err);

        if (len == 0) {
            printf("-\t%s\n", err);

        } else {
            printf("%.*s\n", (int) len, out);
        }
    }

    return 0;
}
