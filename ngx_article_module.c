
/*
 * Copyright (C) ngx_http_article_module authors
 *
 * The front door: the module object, its directives, the main and
 * location confs, the phase handler and filters registered.  The
 * directives' handlers beyond stock slots: ngx_http_article_conf.c.
 */


#include "ngx_http_article.h"


static void *ngx_http_article_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_article_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_article_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_article_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_article_init(ngx_conf_t *cf);
static ngx_int_t ngx_http_article_init_module(ngx_cycle_t *cycle);
static void ngx_http_article_exit_process(ngx_cycle_t *cycle);


static ngx_conf_enum_t  ngx_http_article_amp_targets[] = {
    { ngx_string("cdn"), NGX_HTTP_ARTICLE_TARGET_CDN },
    { ngx_string("amp"), NGX_HTTP_ARTICLE_TARGET_AMP },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_article_amp_statuses[] = {
    { ngx_string("301"), NGX_HTTP_MOVED_PERMANENTLY },
    { ngx_string("302"), NGX_HTTP_MOVED_TEMPORARILY },
    { ngx_string("303"), NGX_HTTP_SEE_OTHER },
    { ngx_string("307"), NGX_HTTP_TEMPORARY_REDIRECT },
    { ngx_string("308"), NGX_HTTP_PERMANENT_REDIRECT },
    { ngx_null_string, 0 }
};


static ngx_conf_enum_t  ngx_http_article_amp_caches[] = {
    { ngx_string("off"), NGX_HTTP_ARTICLE_AMP_CACHE_OFF },
    { ngx_string("google"), NGX_HTTP_ARTICLE_AMP_CACHE_GOOGLE },
    { ngx_null_string, 0 }
};


/* the per-location lines: rendered here, once, with the value escaped */
static ngx_str_t  ngx_http_article_robots_line[] = {
    ngx_string("<meta name=\"robots\" content=\""), ngx_string("\">\n")
};

static ngx_str_t  ngx_http_article_twitter_site_line[] = {
    ngx_string("<meta name=\"twitter:site\" content=\""), ngx_string("\">\n")
};


static ngx_str_t  ngx_http_article_default_types[] = {
    ngx_string("text/html"),
    ngx_null_string
};


static ngx_command_t  ngx_http_article_commands[] = {

    { ngx_string("article_map"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_BLOCK|NGX_CONF_TAKE1,
      ngx_http_article_map_block,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("article"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE2,
      ngx_http_article_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("article_amp"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, amp),
      NULL },

    { ngx_string("article_amp_target"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, amp_target),
      &ngx_http_article_amp_targets },

    { ngx_string("article_amp_status"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, amp_status),
      &ngx_http_article_amp_statuses },

    { ngx_string("article_amp_mobile"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_article_amp_mobile_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, amp_mobile),
      NULL },

    { ngx_string("article_amp_tablets"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, amp_tablets),
      NULL },

    { ngx_string("article_amp_optout"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_str_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, amp_optout),
      NULL },

    { ngx_string("article_amp_retire"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, amp_retire),
      NULL },

    { ngx_string("article_og"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, og),
      NULL },

    { ngx_string("article_og_types"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_1MORE,
      ngx_http_types_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, og_types_keys),
      &ngx_http_article_default_types[0] },

    { ngx_string("article_jsonld"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, jsonld),
      NULL },

    { ngx_string("article_canonical"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, canonical),
      NULL },

    { ngx_string("article_robots"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_article_head_line_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, robots),
      ngx_http_article_robots_line },

    { ngx_string("article_twitter_site"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_article_head_line_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, twitter_site),
      ngx_http_article_twitter_site_line },

    { ngx_string("article_og_replace"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_FLAG,
      ngx_conf_set_flag_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, og_replace),
      NULL },

    { ngx_string("article_amp_cache"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_article_loc_conf_t, amp_cache),
      &ngx_http_article_amp_caches },

    { ngx_string("article_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_article_status,
      0,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_article_module_ctx = {
    ngx_http_article_add_variables,        /* preconfiguration */
    ngx_http_article_init,                 /* postconfiguration */

    ngx_http_article_create_main_conf,     /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_article_create_loc_conf,      /* create location configuration */
    ngx_http_article_merge_loc_conf        /* merge location configuration */
};


ngx_module_t  ngx_http_article_module = {
    NGX_MODULE_V1,
    &ngx_http_article_module_ctx,          /* module context */
    ngx_http_article_commands,             /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    ngx_http_article_init_module,          /* init module */
    ngx_http_article_wait_init_process,    /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_article_exit_process,         /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static void *
ngx_http_article_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_article_main_conf_t  *amcf;

    amcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_article_main_conf_t));
    if (amcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&amcf->maps, cf->pool, 2,
                       sizeof(ngx_http_article_map_t *))
        != NGX_OK)
    {
        return NULL;
    }

    return amcf;
}


static void *
ngx_http_article_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_article_loc_conf_t  *alcf;

    alcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_article_loc_conf_t));
    if (alcf == NULL) {
        return NULL;
    }

    /*
     * set by ngx_pcalloc():
     *
     *     alcf->map = NULL;
     *     alcf->key = NULL;
     *     alcf->key_vars = NULL;
     *     alcf->key_var = 0;
     *     alcf->amp_mobile = NULL;
     *     alcf->amp_vary = { 0, NULL };
     *     alcf->amp_optout = { 0, NULL };
     *     alcf->og_types = { NULL };
     *     alcf->og_types_keys = NULL;
     *     alcf->robots = { 0, NULL };
     *     alcf->twitter_site = { 0, NULL };
     */

    alcf->amp = NGX_CONF_UNSET;
    alcf->amp_retire = NGX_CONF_UNSET;
    alcf->amp_target = NGX_CONF_UNSET_UINT;
    alcf->amp_status = NGX_CONF_UNSET_UINT;
    alcf->amp_tablets = NGX_CONF_UNSET;
    alcf->og = NGX_CONF_UNSET;
    alcf->jsonld = NGX_CONF_UNSET;
    alcf->canonical = NGX_CONF_UNSET;
    alcf->og_replace = NGX_CONF_UNSET;
    alcf->amp_cache = NGX_CONF_UNSET_UINT;

    return alcf;
}


static char *
ngx_http_article_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_article_loc_conf_t  *prev = parent;
    ngx_http_article_loc_conf_t  *conf = child;

    u_char                        *p;
    ngx_str_t                      name;
    ngx_http_article_main_conf_t  *amcf;

    if (conf->map == NULL) {
        conf->map = prev->map;
        conf->key = prev->key;
        conf->key_vars = prev->key_vars;
        conf->key_var = prev->key_var;
    }

    if (conf->amp_mobile == NULL) {
        conf->amp_mobile = prev->amp_mobile;
        conf->amp_vary = prev->amp_vary;
    }

    if (conf->amp_vary.data == NULL) {
        ngx_str_set(&conf->amp_vary, "User-Agent, Sec-CH-UA-Mobile");
    }

    ngx_conf_merge_value(conf->amp, prev->amp, 0);
    ngx_conf_merge_value(conf->amp_retire, prev->amp_retire, 0);
    ngx_conf_merge_uint_value(conf->amp_target, prev->amp_target,
                              NGX_HTTP_ARTICLE_TARGET_CDN);
    ngx_conf_merge_uint_value(conf->amp_status, prev->amp_status,
                              NGX_HTTP_MOVED_TEMPORARILY);
    ngx_conf_merge_value(conf->amp_tablets, prev->amp_tablets, 0);
    ngx_conf_merge_str_value(conf->amp_optout, prev->amp_optout, "noamp");
    ngx_conf_merge_value(conf->og, prev->og, 0);
    ngx_conf_merge_value(conf->jsonld, prev->jsonld, 0);
    ngx_conf_merge_value(conf->canonical, prev->canonical, 0);
    ngx_conf_merge_value(conf->og_replace, prev->og_replace, 0);
    ngx_conf_merge_uint_value(conf->amp_cache, prev->amp_cache,
                              NGX_HTTP_ARTICLE_AMP_CACHE_OFF);
    ngx_conf_merge_str_value(conf->robots, prev->robots, "");
    ngx_conf_merge_str_value(conf->twitter_site, prev->twitter_site, "");

    if (conf->jsonld && conf->map != NULL) {
        /* records keep the script only where something reads it */
        conf->map->jsonld = 1;
    }

    if (conf->amp_retire && conf->map != NULL) {
        /* with "index url", its records are found by their AMP path too */
        conf->map->amp_retire = 1;
    }

    if (conf->amp_cache && conf->map != NULL) {
        /* the load logs the hosts it cannot derive a cache URL for */
        conf->map->amp_cache = 1;
    }

    /* text/html is always in, as with sub_filter_types */
    if (ngx_http_merge_types(cf, &conf->og_types_keys, &conf->og_types,
                             &prev->og_types_keys, &prev->og_types,
                             ngx_http_article_default_types)
        != NGX_OK)
    {
        return NGX_CONF_ERROR;
    }

    if (!conf->amp) {
        return NGX_CONF_OK;
    }

    /* no article_amp anywhere: no header filter looks for the Vary mark */
    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_article_module);
    amcf->amp_used = 1;

    /* the opt-out is read as $arg_NAME and $cookie_NAME */

    p = ngx_pnalloc(cf->pool, sizeof("cookie_") - 1 + conf->amp_optout.len);
    if (p == NULL) {
        return NGX_CONF_ERROR;
    }

    name.data = p;
    name.len = ngx_sprintf(p, "arg_%V", &conf->amp_optout) - p;

    conf->optout_arg = ngx_http_get_variable_index(cf, &name);
    if (conf->optout_arg == NGX_ERROR) {
        return NGX_CONF_ERROR;
    }

    name.len = ngx_sprintf(p, "cookie_%V", &conf->amp_optout) - p;

    conf->optout_cookie = ngx_http_get_variable_index(cf, &name);
    if (conf->optout_cookie == NGX_ERROR) {
        return NGX_CONF_ERROR;
    }

    return NGX_CONF_OK;
}


static ngx_int_t
ngx_http_article_init(ngx_conf_t *cf)
{
    ngx_str_t                      name = ngx_string("http_sec_ch_ua_mobile");
    ngx_uint_t                     i, j;
    ngx_http_variable_t           *v;
    ngx_http_article_map_t       **maps;
    ngx_http_core_main_conf_t     *cmcf;
    ngx_http_article_main_conf_t  *amcf;

    amcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_article_module);

    amcf->ch_mobile = ngx_http_get_variable_index(cf, &name);
    if (amcf->ch_mobile == NGX_ERROR) {
        return NGX_ERROR;
    }

    /* $article_jsonld used anywhere: every map keeps the script */

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);
    v = cmcf->variables.elts;

    for (i = 0; i < cmcf->variables.nelts; i++) {
        if (v[i].name.len == sizeof("article_jsonld") - 1
            && ngx_strncmp(v[i].name.data, "article_jsonld",
                           sizeof("article_jsonld") - 1) == 0)
        {
            maps = amcf->maps.elts;

            for (j = 0; j < amcf->maps.nelts; j++) {
                maps[j]->jsonld = 1;
            }
        }
    }

    if (ngx_http_article_request_init(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    if (ngx_http_article_wait_init_conf(cf) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_article_filter_init(cf);
}


static char *
ngx_http_article_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_article_status_handler;

    return NGX_CONF_OK;
}


/*
 * At every start and reload: which module the master has mapped; the
 * cycle can no longer fail, its generations become the current ones.
 */

static ngx_int_t
ngx_http_article_init_module(ngx_cycle_t *cycle)
{
    ngx_log_error(NGX_LOG_NOTICE, cycle->log, 0,
                  "ngx_http_article_module/" NGX_HTTP_ARTICLE_VERSION);

    return ngx_http_article_zone_commit(cycle);
}


static void
ngx_http_article_exit_process(ngx_cycle_t *cycle)
{
    ngx_http_article_wait_exit_process(cycle);
    ngx_http_article_zone_exit(cycle);
}

