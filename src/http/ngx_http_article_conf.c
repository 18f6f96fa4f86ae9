
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The directives' handlers beyond stock slots.  The "article_map NAME
 * { ... }" block: its directives, parsed as ngx_conf_handler() parses
 * others, and every default of a map, set in ngx_http_article_map_create()
 * and ngx_http_article_map_merge().  "article MAP KEY", and the head lines
 * of article_robots and article_twitter_site.
 */


#include "ngx_http_article.h"


#define NGX_HTTP_ARTICLE_DEFAULT_ZONE    (16 * 1024 * 1024)
#define NGX_HTTP_ARTICLE_DEFAULT_PREFIX  "article:"


static ngx_http_article_map_t *ngx_http_article_map_create(ngx_conf_t *cf,
    ngx_str_t *name);
static void ngx_http_article_map_needs_redis(ngx_conf_t *cf,
    ngx_command_t *cmd);
static char *ngx_http_article_map_merge(ngx_conf_t *cf,
    ngx_http_article_map_t *map);
static char *ngx_http_article_map_directive(ngx_conf_t *cf,
    ngx_command_t *dummy, void *conf);
static char *ngx_http_article_map_source(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_article_map_index(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_article_check_zone(ngx_conf_t *cf, void *post,
    void *data);
static char *ngx_http_article_check_timeout(ngx_conf_t *cf, void *post,
    void *data);
static ngx_int_t ngx_http_article_key_vars(ngx_conf_t *cf,
    ngx_http_article_loc_conf_t *alcf, ngx_str_t *key);
static ngx_uint_t ngx_http_article_key_is_var(ngx_str_t *key);


static ngx_conf_post_handler_pt  ngx_http_article_zone_post =
    ngx_http_article_check_zone;
static ngx_conf_post_handler_pt  ngx_http_article_timeout_post =
    ngx_http_article_check_timeout;


/*
 * The directives inside "article_map NAME { ... }", dispatched by
 * ngx_http_article_map_directive() as ngx_conf_handler() does for others:
 * stock slots, offsets into ngx_http_article_map_t.
 */
static ngx_command_t  ngx_http_article_map_commands[] = {

    { ngx_string("source"),
      NGX_CONF_TAKE1,
      ngx_http_article_map_source,
      0,
      0,
      NULL },

    { ngx_string("index"),
      NGX_CONF_TAKE12,
      ngx_http_article_map_index,
      0,
      0,
      NULL },

    { ngx_string("zone"),
      NGX_CONF_TAKE1,
      ngx_conf_set_size_slot,
      0,
      offsetof(ngx_http_article_map_t, size),
      &ngx_http_article_zone_post },

    { ngx_string("strict"),
      NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      0,
      offsetof(ngx_http_article_map_t, strict),
      NULL },

    { ngx_string("snapshot"),
      NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      0,
      offsetof(ngx_http_article_map_t, snapshot),
      NULL },

    { ngx_string("redis"),
      NGX_CONF_TAKE1,
      ngx_http_article_redis_addr_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf),
      NULL },

    { ngx_string("redis_auth_file"),
      NGX_CONF_TAKE1,
      ngx_http_article_redis_auth_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf),
      NULL },

    { ngx_string("redis_db"),
      NGX_CONF_TAKE1,
      ngx_conf_set_num_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf.redis_db),
      NULL },

    { ngx_string("redis_tracking"),
      NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf.redis_tracking),
      NULL },

    { ngx_string("redis_ssl"),
      NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf.redis_ssl),
      NULL },

    { ngx_string("redis_ssl_verify"),
      NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf.redis_ssl_verify),
      NULL },

    { ngx_string("redis_ssl_trusted_certificate"),
      NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf.redis_ssl_trusted),
      NULL },

    { ngx_string("redis_ssl_name"),
      NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf.redis_ssl_name),
      NULL },

    { ngx_string("redis_ssl_certificate"),
      NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf.redis_ssl_certificate),
      NULL },

    { ngx_string("redis_ssl_certificate_key"),
      NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf.redis_ssl_certificate_key),
      NULL },

    { ngx_string("redis_prefix"),
      NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf.redis_prefix),
      NULL },

    { ngx_string("redis_timeout"),
      NGX_CONF_TAKE1,
      ngx_conf_set_msec_slot,
      0,
      offsetof(ngx_http_article_map_t, rconf.redis_timeout),
      &ngx_http_article_timeout_post },

    { ngx_string("cache_ttl"),
      NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      0,
      offsetof(ngx_http_article_map_t, cache_ttl),
      NULL },

    { ngx_string("negative_ttl"),
      NGX_CONF_TAKE1,
      ngx_conf_set_sec_slot,
      0,
      offsetof(ngx_http_article_map_t, negative_ttl),
      NULL },

      ngx_null_command
};


char *
ngx_http_article_map_block(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_article_main_conf_t *amcf = conf;

    char                     *rv;
    u_char                    c;
    ngx_str_t                *value;
    ngx_uint_t                i;
    ngx_conf_t                save;
    ngx_http_article_map_t   *map, **maps;

    value = cf->args->elts;

    /* the name appears in JSON, Prometheus labels and log lines */
    for (i = 0; i < value[1].len; i++) {
        c = value[1].data[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid article_map name \"%V\": letters, "
                               "digits, \"_\", \"-\" and \".\" only",
                               &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    maps = amcf->maps.elts;

    for (i = 0; i < amcf->maps.nelts; i++) {
        if (maps[i]->name.len == value[1].len
            && ngx_strncmp(maps[i]->name.data, value[1].data, value[1].len)
               == 0)
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "duplicate article_map \"%V\"", &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    map = ngx_http_article_map_create(cf, &value[1]);
    if (map == NULL) {
        return NGX_CONF_ERROR;
    }

    save = *cf;
    cf->ctx = map;
    cf->handler = ngx_http_article_map_directive;
    cf->handler_conf = conf;

    rv = ngx_conf_parse(cf, NULL);

    *cf = save;

    if (rv != NGX_CONF_OK) {
        return rv;
    }

    if (map->sources.nelts == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "no \"source\" in article_map \"%V\"", &map->name);
        return NGX_CONF_ERROR;
    }

    if (map->needs_redis.len && !ngx_http_article_has_redis(map)) {
        ngx_log_error(NGX_LOG_EMERG, cf->log, 0,
                      "\"%V\" needs \"redis\" in article_map \"%V\" "
                      "in %V:%ui", &map->needs_redis, &map->name,
                      &cf->conf_file->file.name, map->needs_redis_line);
        return NGX_CONF_ERROR;
    }

    if (ngx_http_article_map_merge(cf, map) != NGX_CONF_OK) {
        return NGX_CONF_ERROR;
    }

    map->shm_zone = ngx_shared_memory_add(cf, &map->name, map->size,
                                          &ngx_http_article_module);
    if (map->shm_zone == NULL) {
        return NGX_CONF_ERROR;
    }

    if (map->shm_zone->data != NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "shared memory zone \"%V\" is already used",
                           &map->name);
        return NGX_CONF_ERROR;
    }

    /* the zone is kept across reloads: each cycle reads its generation */
    if (ngx_http_article_zone_conf(cf, map) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    maps = ngx_array_push(&amcf->maps);
    if (maps == NULL) {
        return NGX_CONF_ERROR;
    }

    *maps = map;

    return NGX_CONF_OK;
}


/* a map as its block begins: every setting unset */

static ngx_http_article_map_t *
ngx_http_article_map_create(ngx_conf_t *cf, ngx_str_t *name)
{
    ngx_http_article_map_t  *map;

    map = ngx_pcalloc(cf->pool, sizeof(ngx_http_article_map_t));
    if (map == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     map->key_field = { 0, NULL };
     *     map->snapshot = { 0, NULL };
     *     map->rconf.redis_prefix = { 0, NULL };
     *     map->amp_cache = 0;
     *     map->jsonld = 0;
     */

    map->name = *name;
    map->rconf.name = *name;
    map->size = NGX_CONF_UNSET_SIZE;
    map->strict = NGX_CONF_UNSET;
    map->rconf.redis_timeout = NGX_CONF_UNSET_MSEC;
    map->cache_ttl = NGX_CONF_UNSET;
    map->negative_ttl = NGX_CONF_UNSET;
    map->index = NGX_CONF_UNSET_UINT;
    map->rconf.redis_db = NGX_CONF_UNSET;
    map->rconf.redis_tracking = NGX_CONF_UNSET;
    map->rconf.redis_ssl = NGX_CONF_UNSET;
    map->rconf.redis_ssl_verify = NGX_CONF_UNSET;

    if (ngx_array_init(&map->sources, cf->pool, 4, sizeof(ngx_str_t))
        != NGX_OK)
    {
        return NULL;
    }

    return map;
}


/* a map as its block ends: every default; the tier's in redis/ */

static char *
ngx_http_article_map_merge(ngx_conf_t *cf, ngx_http_article_map_t *map)
{
    ngx_conf_init_uint_value(map->index, ART_INDEX_FILE);
    ngx_conf_init_size_value(map->size, NGX_HTTP_ARTICLE_DEFAULT_ZONE);
    ngx_conf_init_value(map->strict, 0);
    ngx_conf_init_msec_value(map->rconf.redis_timeout, 100);
    ngx_conf_init_value(map->cache_ttl, 300);
    ngx_conf_init_value(map->negative_ttl, 30);

    if (map->rconf.redis_prefix.data == NULL) {
        ngx_str_set(&map->rconf.redis_prefix, NGX_HTTP_ARTICLE_DEFAULT_PREFIX);
    }

    return ngx_http_article_redis_conf(cf, &map->rconf);
}


static char *
ngx_http_article_map_directive(ngx_conf_t *cf, ngx_command_t *dummy,
    void *conf)
{
    char           *rv;
    ngx_str_t      *name;
    ngx_uint_t      nargs;
    ngx_command_t  *cmd;

    static ngx_uint_t  argument_number[] = {
        NGX_CONF_NOARGS, NGX_CONF_TAKE1, NGX_CONF_TAKE2
    };

    name = cf->args->elts;
    nargs = cf->args->nelts - 1;

    for (cmd = ngx_http_article_map_commands; cmd->name.len; cmd++) {

        if (cmd->name.len != name->len
            || ngx_strcmp(cmd->name.data, name->data) != 0)
        {
            continue;
        }

        if (nargs >= sizeof(argument_number) / sizeof(argument_number[0])
            || !(cmd->type & argument_number[nargs]
                 || (cmd->type & NGX_CONF_FLAG && nargs == 1)))
        {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid number of arguments in \"%V\" "
                               "directive", name);
            return NGX_CONF_ERROR;
        }

        rv = cmd->set(cf, cmd, cf->ctx);

        ngx_http_article_map_needs_redis(cf, cmd);

        if (rv == NGX_CONF_OK || rv == NGX_CONF_ERROR) {
            return rv;
        }

        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0, "\"%V\" directive %s",
                           name, rv);
        return NGX_CONF_ERROR;
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "unknown directive \"%V\" in article_map", name);

    return NGX_CONF_ERROR;
}


/* a setting of the Redis tier in a map without "redis" is a mistake */

static void
ngx_http_article_map_needs_redis(ngx_conf_t *cf, ngx_command_t *cmd)
{
    ngx_http_article_map_t  *map = cf->ctx;

    if (map->needs_redis.len
        || !((cmd->name.len > 6
              && ngx_strncmp(cmd->name.data, "redis_", 6) == 0)
             || ngx_strcmp(cmd->name.data, "cache_ttl") == 0
             || ngx_strcmp(cmd->name.data, "negative_ttl") == 0))
    {
        return;
    }

    map->needs_redis = cmd->name;
    map->needs_redis_line = cf->conf_file->line;
}


static char *
ngx_http_article_map_source(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_article_map_t  *map = conf;

    ngx_str_t  *value, *source;

    value = cf->args->elts;

    source = ngx_array_push(&map->sources);
    if (source == NULL) {
        return NGX_CONF_ERROR;
    }

    *source = value[1];

    /* relative to the prefix, as "-p" sets it */
    if (ngx_conf_full_name(cf->cycle, source, 0) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_article_map_index(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_article_map_t  *map = conf;

    ngx_str_t  *value;

    if (map->index != NGX_CONF_UNSET_UINT) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "file") == 0) {
        map->index = ART_INDEX_FILE;
        return NGX_CONF_OK;
    }

    if (cf->args->nelts == 2 && ngx_strcmp(value[1].data, "url") == 0) {
        map->index = ART_INDEX_URL;
        return NGX_CONF_OK;
    }

    if (cf->args->nelts == 3 && ngx_strcmp(value[1].data, "field") == 0
        && value[2].len)
    {
        map->index = ART_INDEX_FIELD;
        map->key_field = value[2];
        return NGX_CONF_OK;
    }

    ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                       "invalid \"index\": file, url or field NAME "
                       "expected");
    return NGX_CONF_ERROR;
}


static char *
ngx_http_article_check_zone(ngx_conf_t *cf, void *post, void *data)
{
    size_t  *size = data;

    if (*size < 8 * ngx_pagesize) {
        return "is too small: at least 8 pages";
    }

    return NGX_CONF_OK;
}


static char *
ngx_http_article_check_timeout(ngx_conf_t *cf, void *post, void *data)
{
    ngx_msec_t  *ms = data;

    if (*ms == 0) {
        return "must not be 0";
    }

    return NGX_CONF_OK;
}


/* "article MAP KEY": the location reads MAP, the key compiled */

char *
ngx_http_article_slot(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_article_loc_conf_t *alcf = conf;

    ngx_str_t                          *value;
    ngx_uint_t                          i;
    ngx_http_article_map_t            **maps;
    ngx_http_article_main_conf_t       *amcf;
    ngx_http_compile_complex_value_t    ccv;

    if (alcf->map != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_article_module);
    maps = amcf->maps.elts;

    for (i = 0; i < amcf->maps.nelts; i++) {
        if (maps[i]->name.len == value[1].len
            && ngx_strncmp(maps[i]->name.data, value[1].data, value[1].len)
               == 0)
        {
            alcf->map = maps[i];
            break;
        }
    }

    if (alcf->map == NULL) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "unknown article_map \"%V\" (an article_map "
                           "must be declared before it is used)", &value[1]);
        return NGX_CONF_ERROR;
    }

    alcf->key = ngx_palloc(cf->pool, sizeof(ngx_http_complex_value_t));
    if (alcf->key == NULL) {
        return NGX_CONF_ERROR;
    }

    ngx_memzero(&ccv, sizeof(ngx_http_compile_complex_value_t));

    ccv.cf = cf;
    ccv.value = &value[2];
    ccv.complex_value = alcf->key;

    if (ngx_http_compile_complex_value(&ccv) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    if (ngx_http_article_key_vars(cf, alcf, &value[2]) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    /* the whole key is one variable: each look-up reads it, no script */

    if (alcf->key_vars != NULL && alcf->key_vars->nelts == 1
        && ngx_http_article_key_is_var(&value[2]))
    {
        alcf->key_var = *(ngx_uint_t *) alcf->key_vars->elts + 1;
    }

    return NGX_CONF_OK;
}


/* "$name" or "${name}", nothing else */

static ngx_uint_t
ngx_http_article_key_is_var(ngx_str_t *key)
{
    u_char  *p, *last, c;

    if (key->len < 2 || key->data[0] != '$') {
        return 0;
    }

    p = key->data + 1;
    last = key->data + key->len;

    if (*p == '{') {
        if (last[-1] != '}') {
            return 0;
        }

        p++;
        last--;
    }

    if (p == last) {
        return 0;
    }

    for ( /* void */ ; p < last; p++) {
        c = ngx_tolower(*p);

        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            return 0;
        }
    }

    return 1;
}


/*
 * The indexes of the variables the key names ("$name", "${name}"; not the
 * captures "$1"): the rewrite phase checks whether "set" assigns one.
 */

static ngx_int_t
ngx_http_article_key_vars(ngx_conf_t *cf, ngx_http_article_loc_conf_t *alcf,
    ngx_str_t *key)
{
    u_char      *p, *last, *start, c;
    ngx_int_t    index;
    ngx_str_t    name;
    ngx_uint_t  *slot;

    p = key->data;
    last = p + key->len;

    while (p < last) {
        if (*p++ != '$' || p == last) {
            continue;
        }

        if (*p == '{') {
            p++;
        }

        for (start = p; p < last; p++) {
            c = ngx_tolower(*p);

            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                  || c == '_'))
            {
                break;
            }
        }

        if (p == start || (*start >= '0' && *start <= '9')) {
            continue;
        }

        name.data = start;
        name.len = p - start;

        index = ngx_http_get_variable_index(cf, &name);
        if (index == NGX_ERROR) {
            return NGX_ERROR;
        }

        if (alcf->key_vars == NULL) {
            alcf->key_vars = ngx_array_create(cf->pool, 2,
                                              sizeof(ngx_uint_t));
            if (alcf->key_vars == NULL) {
                return NGX_ERROR;
            }
        }

        slot = ngx_array_push(alcf->key_vars);
        if (slot == NULL) {
            return NGX_ERROR;
        }

        *slot = index;
    }

    return NGX_OK;
}


/*
 * article_robots, article_twitter_site: the whole line, escaped, once; a
 * value with control characters could break the page or a header
 */

char *
ngx_http_article_head_line_slot(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf)
{
    u_char     *p;
    ngx_str_t  *line, *value, *parts;
    ngx_uint_t  i;

    line = (ngx_str_t *) ((u_char *) conf + cmd->offset);
    parts = cmd->post;

    if (line->data != NULL) {
        return "is duplicate";
    }

    value = cf->args->elts;

    if (value[1].len == 0) {
        return "takes a non-empty value";
    }

    for (i = 0; i < value[1].len; i++) {
        if (value[1].data[i] < 0x20 || value[1].data[i] == 0x7f) {
            ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                               "invalid value \"%V\": control characters",
                               &value[1]);
            return NGX_CONF_ERROR;
        }
    }

    line->len = parts[0].len
                + art_html_escape_len(value[1].data, value[1].len)
                + parts[1].len;

    line->data = ngx_pnalloc(cf->pool, line->len);
    if (line->data == NULL) {
        return NGX_CONF_ERROR;
    }

    p = ngx_cpymem(line->data, parts[0].data, parts[0].len);
    p = art_html_escape(p, value[1].data, value[1].len);
    ngx_memcpy(p, parts[1].data, parts[1].len);

    return NGX_CONF_OK;
}
