/* jn-types.h: forward declarations and shared enums of the Jonction core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _JnPerson JnPerson;
typedef struct _JnExport JnExport;

/**
 * JnCategory:
 *
 * The six PRONOTE categories, in the order of the six import steps.
 */
typedef enum
{
  JN_CATEGORY_TEACHER = 0,
  JN_CATEGORY_STUDENT,
  JN_CATEGORY_RELATIVE,
  JN_CATEGORY_INTERNSHIP_MASTER,
  JN_CATEGORY_INSPECTOR,
  JN_CATEGORY_STAFF,
} JnCategory;

#define JN_N_CATEGORIES 6

GType        jn_category_get_type       (void) G_GNUC_CONST;
#define JN_TYPE_CATEGORY (jn_category_get_type ())

/* "teachers", "students", "relatives", "internship_masters", "inspectors", "staff" */
const char  *jn_category_to_key         (JnCategory   category);
gboolean     jn_category_from_key       (const char  *key,
                                         JnCategory  *category);
/* Translated plural label: "Teachers" / "Enseignants" */
const char  *jn_category_get_label      (JnCategory   category);

/* An establishment's UAI (RNE): 7 digits and a letter, e.g. 0312609T */
gboolean     jn_uai_is_valid            (const char  *uai);

/**
 * JnPronoteIdCheck:
 * @JN_PRONOTE_ID_WELLFORMED: 16 characters of PRONOTE's alphabet (2345789, A–Z but I L O)
 * @JN_PRONOTE_ID_UNUSUAL: only A–Z and 0–9, but another length or a letter PRONOTE never
 *   writes: an admin typing it may confirm it; a file holding it is wrong
 * @JN_PRONOTE_ID_INVALID: empty, or a character other than A–Z and 0–9
 */
typedef enum
{
  JN_PRONOTE_ID_WELLFORMED,
  JN_PRONOTE_ID_UNUSUAL,
  JN_PRONOTE_ID_INVALID,
} JnPronoteIdCheck;

#define JN_PRONOTE_ID_ALPHABET "2345789ABCDEFGHJKMNPQRSTUVWXYZ"
#define JN_PRONOTE_ID_LENGTH 16
/* Longest identifier an admin may confirm by hand */
#define JN_PRONOTE_ID_MAX_LENGTH 64

JnPronoteIdCheck jn_pronote_id_check    (const char  *id);
/* What PRONOTE writes: the only identifiers accepted from an export or a decisions file */
gboolean     jn_pronote_id_is_wellformed (const char  *id);

G_END_DECLS
