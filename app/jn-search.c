/* jn-search.c: the name search shared by the Browse Directory dialog
 * (jn_import_session_search_directory) and the single user editor (JnUserIndex)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "jn-names.h"
#include "jn-search.h"

char *
jn_search_fold (const char *name)
{
  char *folded = jn_names_fold (name ? name : "");

  g_strdelimit (folded, "-", ' ');
  return folded;
}

char **
jn_search_split_words (const char *query)
{
  g_autofree char *folded = jn_search_fold (query);
  char **words = g_strsplit (g_strstrip (folded), " ", -1);
  guint k = 0;

  for (guint i = 0; words[i] != NULL; i++)
    if (words[i][0] != '\0')
      words[k++] = words[i];
    else
      g_free (words[i]);
  words[k] = NULL;
  return words;
}

int
jn_search_rank (const char  *family,
                const char  *given,
                char       **words)
{
  gboolean all_prefix = TRUE;

  for (guint i = 0; words[i] != NULL; i++)
    {
      const char *w = words[i];
      gboolean prefix = g_str_has_prefix (family, w) || g_str_has_prefix (given, w);

      if (!prefix)
        {
          /* any word of a compound name */
          const char *p;

          for (p = family; !prefix && (p = strchr (p, ' ')) != NULL; p++)
            prefix = g_str_has_prefix (p + 1, w);
          for (p = given; !prefix && (p = strchr (p, ' ')) != NULL; p++)
            prefix = g_str_has_prefix (p + 1, w);
        }
      if (!prefix && strstr (family, w) == NULL && strstr (given, w) == NULL)
        return -1;
      all_prefix = all_prefix && prefix;
    }

  if (words[0] != NULL && g_str_has_prefix (family, words[0]))
    return 0;
  return all_prefix ? 1 : 2;
}
