/* jn-names.h: normalisation and similarity of French names
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * JnNameMatch:
 * @JN_NAME_MATCH_NONE: different names
 * @JN_NAME_MATCH_VARIANT: a known variant: first given name only, particle dropped,
 *   one half of a double family name
 * @JN_NAME_MATCH_EXACT: equal once case, accents, hyphens, apostrophes and spaces are
 *   set aside
 */
typedef enum
{
  JN_NAME_MATCH_NONE,
  JN_NAME_MATCH_VARIANT,
  JN_NAME_MATCH_EXACT,
} JnNameMatch;

/* The keys of one name, computed once */
typedef struct
{
  char *folded;      /* "d-almeida", "marie desiree": lower case, accents removed (so ASCII
                        for Latin names; other scripts' letters are kept), '-' and ' ' kept */
  char *compact;     /* "dalmeida", "mariedesiree": letters and digits only */
  char *first;       /* given names: the first one, compact ("marie"); family: compact
                        without leading particles ("almeida", "tour" for "de la tour") */
  char *word;        /* family: the first word after particles ("garcia" for "garcia
                        lopez"); given: as first. Names that match share one of
                        compact, first or word: the blocking keys of the matcher. */
} JnNameKey;

/* Lower case, accents removed by Unicode decomposition, ligatures spelt out, apostrophes
 * and hyphens as '-', every other separator as one space, trimmed. Never NULL. */
char        *jn_names_fold              (const char      *name);
/* jn_names_fold() without separators */
char        *jn_names_compact           (const char      *name);

void         jn_name_key_init_family    (JnNameKey       *key,
                                         const char      *family_name);
void         jn_name_key_init_given     (JnNameKey       *key,
                                         const char      *given_name);
void         jn_name_key_clear          (JnNameKey       *key);

JnNameMatch  jn_names_match_family      (const JnNameKey *a,
                                         const JnNameKey *b);
JnNameMatch  jn_names_match_given       (const JnNameKey *a,
                                         const JnNameKey *b);

/* Issue H, class 1: @shorter (folded, jn_names_fold()) is a cut, a first part or an
 * initial abbreviation of the given name @longer (folded). Both split into parts at space
 * or hyphen, compact = the parts joined:
 *   cut / first part: the compact of @shorter is a proper prefix of the compact of @longer
 *     and has 4 letters or more ("jean franc" / "jean-francois"), or its parts are the
 *     whole first parts of @longer ("leo" / "leo-paul");
 *   initial: [x, p2…] against [y, p2…], x one letter, y starting with x and having two
 *     letters or more ("j-pierre", "j pierre" / "jean-pierre"). A bare initial never is. */
gboolean     jn_names_given_shortened   (const char      *shorter,
                                         const char      *longer);
/* jn_names_given_shortened() either way */
gboolean     jn_names_given_cut         (const JnNameKey *a,
                                         const JnNameKey *b);

/* Issue H, class 2: Damerau (optimal string alignment) distance exactly 1 between two
 * compact names, the shorter having at least @min_len characters: one letter missing,
 * added, replaced, or two adjacent letters swapped */
gboolean     jn_names_one_edit          (const char      *a,
                                         const char      *b,
                                         gsize            min_len);

/* Jaro-Winkler similarity of two ASCII strings, 0 (nothing alike) to 1 (equal) */
double       jn_names_similarity        (const char      *a,
                                         const char      *b);

G_END_DECLS
