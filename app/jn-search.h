/* jn-search.h: the name search shared by the Browse Directory dialog and the single
 * user editor
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* jn_names_fold() with hyphens (and so apostrophes) as spaces: "Garcia-Lopez" is found
 * by "lopez" as "Garcia Lopez" is. Never NULL; @name may be NULL. */
char        *jn_search_fold             (const char  *name);
/* The words of @query, folded as jn_search_fold(), empty ones (double spaces) left out;
 * an empty vector for a blank query. Never NULL. */
char       **jn_search_split_words      (const char  *query);
/* How well an account's folded names fit @words: 0 = the family name begins with the
 * first word, 1 = every word begins a name (or a part of a compound one), 2 = the names
 * contain every word, -1 = no fit. An empty @words ranks 1. */
int          jn_search_rank             (const char  *family,
                                         const char  *given,
                                         char       **words);

G_END_DECLS
