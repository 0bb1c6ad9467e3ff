/* jn-matcher.c: the rapprochement of export records and ENT users
 *
 * A wrong automatic match is a data-protection incident (a parent would see another
 * child's grades), so a record is matched automatically only when:
 *   - exactly one ENT user of its category and establishment fits it under its
 *     category's rule, and
 *   - that user fits no other record, and holds no identifier another record claims.
 * Anything else is "ambiguous" (with every candidate) or "unmatched": the admin decides.
 *
 * Rules, strongest first:
 *   unchanged                the user already holds this very identifier for this UAI, and
 *                            no other evidence (birth date, names) says it is someone else
 *   names+birth-date         students (always), others when both sides know the date
 *   name-variant+birth-date  the same with a known name variant (jn-names.c)
 *   names+child              relatives: names, and one of their children in the file is
 *   name-variant+child       matched to a child of that ENT user
 *   names-unique             teachers, staff, internship masters, inspectors without a
 *                            birth date: exact names, unique in the file and in the ENT
 * Couples (Civilite "M,Mme") never match automatically.
 *
 * Issue H, for the records no rule above fits (not couples, not RespLegal 0, no blocked
 * identifier): one name matches (EXACT or VARIANT), the other differs by one variant
 *   given-name-cut+birth-date  the given name is cut ("JEAN FRANC"), a first part ("Léo" /
 *   given-name-cut+child       "Léo-Paul") or an initial ("J-Pierre"): jn_names_given_cut()
 *   typo+birth-date            family or given name one letter away (missing, added,
 *   typo+child                 replaced, two swapped), 5 letters or more: jn_names_one_edit()
 * with the evidence of its category: both birth dates known and equal (never names alone),
 * or, for relatives, the ENT user linked to the user matched to one of the record's
 * children (birth dates not conflicting). Users already matched are candidates too (they
 * make the record ambiguous); one is given only when it is the record's sole candidate,
 * unmatched, in no record's earlier fits and the candidate of no other record.
 *   other-family-name+child    last: a mother (Civilite Mme, RespLegal 1 or 2) with no fit,
 *                            and the one ENT relative of a matched child of hers whose
 *                            family name is another (not one letter away), whose given name
 *                            fits; for each such child she is the only relative in the
 *                            export whose given name fits that user, and that user the only
 *                            ENT relative of the child who fits her; the user fits no one else.
 * Passes: identifiers in place; non-relatives under issue B, then issue H; relatives under
 * issue B (seeing the children H matched), then H, then other-family-name+child. Candidates
 * come from indexes, never a scan: the users born that day, or the relatives of a matched
 * child.
 *
 * One identifier, one person: a record whose identifier is not well-formed, or shared
 * with another record of the export (any category, compared without case and surrounding
 * spaces), is never matched, not even by a decision; an identifier two ENT accounts
 * already hold is never given automatically. On a directory not known to be whole
 * (jn_directory_get_complete()), names-unique is not evidence and nothing is cleared.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "jn-matcher"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "jn-error.h"
#include "jn-io.h"
#include "jn-json.h"
#include "jn-matcher.h"
#include "jn-names.h"
#include "jn-text.h"

typedef struct _Rec Rec;

typedef struct
{
  JnEntUser  *user;
  JnCategory  category;
  JnNameKey   family;
  JnNameKey   given;
  const char *birth_date;
  const char *pronote_id;     /* held for the matcher's UAI */
  char       *pronote_key;    /* its folded form when it differs (jn_pronote_id_fold) */
  guint       stamp;
  /* suggestions: the index of family.compact and of family.first among the distinct
   * values of the directory, so that one call compares each value once */
  guint       family_group;
  guint       first_group;
  guint       given_group;    /* of given.folded (the rest of the key derives from it) */
  char       *child_key;      /* "family|given" compact, as a record's children are keyed */
  GPtrArray  *children;       /* User of its ENT children found here, in ENT order, or NULL */
  /* scratch of one jn_matcher_match() call */
  GPtrArray  *fitting;        /* Rec that this user fits */
  Rec        *owner;          /* the record this user is matched to */
} User;

typedef struct
{
  User        *user;
  const char  *rule;
} Fit;

struct _Rec
{
  JnPerson    *person;
  JnPlanItem  *item;
  JnCategory   category;
  JnNameKey    family;
  JnNameKey    given;
  const char  *birth_date;
  GArray      *fits;          /* Fit */
  gboolean     weak;          /* one fit, but not enough evidence alone */
  gboolean     fixed;         /* matched by "unchanged" */
  const char  *key;           /* its identifier folded (jn_pronote_id_fold), or NULL */
  char        *folded_key;    /* owned, when it differs from the identifier */
  JnPlanCause  blocked;       /* never matched: invalid or duplicate identifier */
  gboolean     held_twice;    /* its identifier is held by several ENT accounts */
  User        *contradicted_holder;  /* holds its identifier, but is someone else by every
                                        other evidence */
  User        *match;
  const char  *rule;
  GHashTable  *child_keys;    /* "family|given" compact keys of a relative's children */
};

struct _JnMatcher
{
  GObject      parent_instance;

  JnDirectory *directory;
  char        *uai;
  User        *users;
  guint        n_users;
  GPtrArray   *by_category[JN_N_CATEGORIES];   /* User */
  GHashTable  *blocks[JN_N_CATEGORIES];        /* name key → GPtrArray of User */
  GHashTable  *by_pronote_id;                  /* folded value → User, or &duplicate_marker */
  GHashTable  *by_id;                          /* ENT id → User */
  GHashTable  *elsewhere;                      /* "category|family|given" of other UAIs' users */
  GHashTable  *by_birth[JN_N_CATEGORIES];      /* birth date → GPtrArray of User (issue H) */
  GHashTable  *parents_of;                     /* ENT id of a child → GPtrArray of relative User */
  guint        stamp;
  gboolean     complete;                       /* of one jn_matcher_match() call */
  guint        n_family_groups;                /* distinct User family.compact */
  guint        n_first_groups;                 /* distinct User family.first */
  guint        n_given_groups;                 /* distinct User given.folded */
};

G_DEFINE_FINAL_TYPE (JnMatcher, jn_matcher, G_TYPE_OBJECT)

static void index_family_groups (JnMatcher *self);

static User duplicate_marker;

/* The rule of a couple's extra candidates: shown to the admin, never evidence against
 * another record */
static const char couple_parent[] = "couple-parent";

static void
jn_matcher_finalize (GObject *object)
{
  JnMatcher *self = (JnMatcher *)object;

  for (guint i = 0; i < self->n_users; i++)
    {
      jn_name_key_clear (&self->users[i].family);
      jn_name_key_clear (&self->users[i].given);
      g_clear_pointer (&self->users[i].fitting, g_ptr_array_unref);
      g_free (self->users[i].pronote_key);
      g_free (self->users[i].child_key);
      g_clear_pointer (&self->users[i].children, g_ptr_array_unref);
      g_object_unref (self->users[i].user);
    }
  g_free (self->users);

  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    {
      g_clear_pointer (&self->by_category[i], g_ptr_array_unref);
      g_clear_pointer (&self->blocks[i], g_hash_table_unref);
      g_clear_pointer (&self->by_birth[i], g_hash_table_unref);
    }
  g_clear_pointer (&self->parents_of, g_hash_table_unref);
  g_clear_pointer (&self->by_pronote_id, g_hash_table_unref);
  g_clear_pointer (&self->by_id, g_hash_table_unref);
  g_clear_pointer (&self->elsewhere, g_hash_table_unref);
  g_clear_object (&self->directory);
  g_free (self->uai);

  G_OBJECT_CLASS (jn_matcher_parent_class)->finalize (object);
}

static void
jn_matcher_class_init (JnMatcherClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = jn_matcher_finalize;
}

static void
jn_matcher_init (JnMatcher *self)
{
}

static void
add_block (GHashTable *blocks,
           const char *key,
           User       *user)
{
  GPtrArray *bucket;

  if (key == NULL || key[0] == '\0')
    return;

  bucket = g_hash_table_lookup (blocks, key);
  if (bucket == NULL)
    {
      bucket = g_ptr_array_new ();
      g_hash_table_insert (blocks, (gpointer)key, bucket);
    }
  if (bucket->len == 0 || g_ptr_array_index (bucket, bucket->len - 1) != user)
    g_ptr_array_add (bucket, user);
}

JnMatcher *
jn_matcher_new (JnDirectory *directory,
                const char  *uai)
{
  JnMatcher *self;
  GListModel *model;
  guint n;

  g_return_val_if_fail (JN_IS_DIRECTORY (directory), NULL);
  g_return_val_if_fail (uai != NULL, NULL);

  self = g_object_new (JN_TYPE_MATCHER, NULL);
  self->directory = g_object_ref (directory);
  self->uai = g_strdup (uai);
  self->by_pronote_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->by_id = g_hash_table_new (g_str_hash, g_str_equal);
  self->elsewhere = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < JN_N_CATEGORIES; i++)
    {
      self->by_category[i] = g_ptr_array_new ();
      self->blocks[i] = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                               (GDestroyNotify)g_ptr_array_unref);
      self->by_birth[i] = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                 (GDestroyNotify)g_ptr_array_unref);
    }
  self->parents_of = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                            (GDestroyNotify)g_ptr_array_unref);

  model = jn_directory_get_users (directory);
  n = g_list_model_get_n_items (model);
  self->users = g_new0 (User, n);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JnEntUser) ent_user = g_list_model_get_item (model, i);
      JnCategory category;
      User *user;

      /* Only this establishment's users, of a known category, take part; the others'
       * names only explain a record left unmatched (other-establishment). */
      if (!jn_ent_user_get_category (ent_user, &category))
        continue;
      if (!jn_ent_user_belongs_to (ent_user, uai))
        {
          g_autofree char *family = jn_names_compact (jn_ent_user_get_family_name (ent_user));
          g_autofree char *given = jn_names_compact (jn_ent_user_get_given_name (ent_user));

          g_hash_table_add (self->elsewhere, g_strdup_printf ("%u|%s|%s", category, family, given));
          continue;
        }

      user = &self->users[self->n_users++];
      user->user = g_object_ref (ent_user);
      user->category = category;
      user->birth_date = jn_ent_user_get_birth_date (ent_user);
      user->pronote_id = jn_ent_user_get_pronote_id (ent_user, uai);
      user->fitting = g_ptr_array_new ();
      jn_name_key_init_family (&user->family, jn_ent_user_get_family_name (ent_user));
      jn_name_key_init_given (&user->given, jn_ent_user_get_given_name (ent_user));

      g_ptr_array_add (self->by_category[category], user);
      g_hash_table_insert (self->by_id, (gpointer)jn_ent_user_get_id (ent_user), user);
      add_block (self->blocks[category], user->family.compact, user);
      add_block (self->blocks[category], user->family.first, user);
      add_block (self->blocks[category], user->family.word, user);
      /* Issue H's candidates: the same birth date, or a parent of a matched child */
      add_block (self->by_birth[category], user->birth_date, user);
      if (category == JN_CATEGORY_RELATIVE)
        {
          const char * const *children = jn_ent_user_get_children (ent_user);

          for (guint k = 0; children != NULL && children[k] != NULL; k++)
            add_block (self->parents_of, children[k], user);
        }

      if (user->pronote_id != NULL)
        {
          const char *key;

          user->pronote_key = jn_pronote_id_fold (user->pronote_id);
          key = user->pronote_key ? user->pronote_key : user->pronote_id;
          if (g_hash_table_contains (self->by_pronote_id, key))
            g_hash_table_replace (self->by_pronote_id, (gpointer)key, &duplicate_marker);
          else
            g_hash_table_insert (self->by_pronote_id, (gpointer)key, user);
        }
    }
  index_family_groups (self);

  return self;
}

JnDirectory *
jn_matcher_get_directory (JnMatcher *self)
{
  g_return_val_if_fail (JN_IS_MATCHER (self), NULL);
  return self->directory;
}

const char *
jn_matcher_get_uai (JnMatcher *self)
{
  g_return_val_if_fail (JN_IS_MATCHER (self), NULL);
  return self->uai;
}

/* ---- evidence ---- */

static gboolean
same_birth_date (const char *a,
                 const char *b)
{
  return a != NULL && b != NULL && strcmp (a, b) == 0;
}

static gboolean
conflicting_birth_dates (const char *a,
                         const char *b)
{
  return a != NULL && b != NULL && strcmp (a, b) != 0;
}

/* Calls @func for each user whose names match the record's (EXACT or VARIANT) */
typedef void (*CandidateFunc) (Rec *rec, User *user, JnNameMatch level, gpointer data);

static void
foreach_name_candidate (JnMatcher     *self,
                        Rec           *rec,
                        CandidateFunc  func,
                        gpointer       data)
{
  const char *keys[3] = { rec->family.compact, rec->family.first, rec->family.word };
  GHashTable *blocks = self->blocks[rec->category];

  self->stamp++;
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    {
      GPtrArray *bucket = g_hash_table_lookup (blocks, keys[k]);

      for (guint i = 0; bucket && i < bucket->len; i++)
        {
          User *user = g_ptr_array_index (bucket, i);
          JnNameMatch family, given;

          if (user->stamp == self->stamp)
            continue;
          user->stamp = self->stamp;

          family = jn_names_match_family (&rec->family, &user->family);
          if (family == JN_NAME_MATCH_NONE)
            continue;
          given = jn_names_match_given (&rec->given, &user->given);
          if (given == JN_NAME_MATCH_NONE)
            continue;

          func (rec, user, MIN (family, given), data);
        }
    }
}

static void
add_fit (Rec        *rec,
         User       *user,
         const char *rule)
{
  Fit fit = { user, rule };

  g_array_append_val (rec->fits, fit);
}

static void
student_candidate_cb (Rec         *rec,
                      User        *user,
                      JnNameMatch  level,
                      gpointer     data)
{
  if (same_birth_date (rec->birth_date, user->birth_date))
    add_fit (rec, user, level == JN_NAME_MATCH_EXACT ? JN_RULE_NAMES_BIRTH_DATE
                                                     : JN_RULE_VARIANT_BIRTH_DATE);
}

typedef struct
{
  guint n_names;      /* every user with these names, birth date or not */
  guint n_exact;
} StaffCounts;

static void
staff_candidate_cb (Rec         *rec,
                    User        *user,
                    JnNameMatch  level,
                    gpointer     data)
{
  StaffCounts *counts = data;

  counts->n_names++;
  if (conflicting_birth_dates (rec->birth_date, user->birth_date))
    return;

  /* Same names, and a date that agrees or that one side lacks: a possible fit. */
  if (same_birth_date (rec->birth_date, user->birth_date))
    add_fit (rec, user, level == JN_NAME_MATCH_EXACT ? JN_RULE_NAMES_BIRTH_DATE
                                                     : JN_RULE_VARIANT_BIRTH_DATE);
  else
    {
      add_fit (rec, user, level == JN_NAME_MATCH_EXACT ? JN_RULE_NAMES_UNIQUE : NULL);
      counts->n_exact += level == JN_NAME_MATCH_EXACT;
    }
}

typedef struct
{
  GHashTable *recs_by_person;
  gboolean    couple;
} RelativeData;

static gboolean
has_matched_child (Rec          *rec,
                   User         *user,
                   RelativeData *data)
{
  GPtrArray *children = jn_person_get_children (rec->person);

  for (guint i = 0; i < children->len; i++)
    {
      Rec *child = g_hash_table_lookup (data->recs_by_person, g_ptr_array_index (children, i));

      if (child != NULL && child->match != NULL &&
          jn_ent_user_has_child (user->user, jn_ent_user_get_id (child->match->user)))
        return TRUE;
    }

  return FALSE;
}

static void
relative_candidate_cb (Rec         *rec,
                       User        *user,
                       JnNameMatch  level,
                       gpointer     data)
{
  if (has_matched_child (rec, user, data))
    add_fit (rec, user, level == JN_NAME_MATCH_EXACT ? JN_RULE_NAMES_CHILD
                                                     : JN_RULE_VARIANT_CHILD);
}

static guint
count_in_file (GHashTable *name_counts,
               Rec        *rec)
{
  g_autofree char *key = g_strdup_printf ("%u|%s|%s", (guint)rec->category, rec->family.compact,
                                          rec->given.compact);

  return GPOINTER_TO_UINT (g_hash_table_lookup (name_counts, key));
}

static void
compute_fits (JnMatcher  *self,
              Rec        *rec,
              GHashTable *name_counts,
              GHashTable *recs_by_person)
{
  switch (rec->category)
    {
    case JN_CATEGORY_STUDENT:
      if (rec->birth_date != NULL)
        foreach_name_candidate (self, rec, student_candidate_cb, NULL);
      break;

    case JN_CATEGORY_RELATIVE:
      {
        RelativeData data = { recs_by_person, jn_person_get_is_couple (rec->person) };

        foreach_name_candidate (self, rec, relative_candidate_cb, &data);
        /* A couple stands for two ENT accounts: show the admin both parents. */
        if (data.couple)
          {
            GPtrArray *parents = self->by_category[JN_CATEGORY_RELATIVE];

            for (guint i = 0; i < parents->len; i++)
              {
                User *user = g_ptr_array_index (parents, i);
                gboolean known = FALSE;

                for (guint f = 0; f < rec->fits->len && !known; f++)
                  known = g_array_index (rec->fits, Fit, f).user == user;
                if (!known && jn_names_match_family (&rec->family, &user->family) &&
                    has_matched_child (rec, user, &data))
                  add_fit (rec, user, couple_parent);
              }
            rec->weak = TRUE;
          }
      }
      break;

    case JN_CATEGORY_TEACHER:
    case JN_CATEGORY_INTERNSHIP_MASTER:
    case JN_CATEGORY_INSPECTOR:
    case JN_CATEGORY_STAFF:
    default:
      {
        StaffCounts counts = { 0, 0 };

        foreach_name_candidate (self, rec, staff_candidate_cb, &counts);
        if (rec->fits->len == 1)
          {
            Fit *fit = &g_array_index (rec->fits, Fit, 0);

            /* Names alone only when unique on both sides, in a directory known whole */
            if (fit->rule == NULL ||
                (g_str_equal (fit->rule, JN_RULE_NAMES_UNIQUE) &&
                 (!self->complete || counts.n_names != 1 || count_in_file (name_counts, rec) != 1)))
              rec->weak = TRUE;
          }
      }
      break;
    }
}

/* ---- resolution ---- */

static void
resolve (GPtrArray *recs)
{
  for (guint i = 0; i < recs->len; i++)
    {
      Rec *rec = g_ptr_array_index (recs, i);

      for (guint f = 0; f < rec->fits->len; f++)
        {
          Fit *fit = &g_array_index (rec->fits, Fit, f);

          if (fit->rule != couple_parent)
            g_ptr_array_add (fit->user->fitting, rec);
        }
    }

  for (guint i = 0; i < recs->len; i++)
    {
      Rec *rec = g_ptr_array_index (recs, i);
      Fit *fit;

      if (rec->fits->len != 1 || rec->weak || rec->blocked != JN_PLAN_CAUSE_NONE || rec->held_twice)
        continue;

      fit = &g_array_index (rec->fits, Fit, 0);
      if (fit->user->owner != NULL || fit->user->fitting->len != 1)
        continue;

      rec->match = fit->user;
      rec->rule = fit->rule;
      fit->user->owner = rec;
    }
}

/* ---- issue H: one variant of the names, the same evidence ---- */

typedef enum
{
  H_NONE,
  H_CUT,       /* family names match, the given name is cut or abbreviated */
  H_TYPO,      /* one name matches, the other is one letter away */
} HVariant;

#define H_TYPO_MIN_LEN 5

/* Which one-variant rule links the names of @family and @given to @user's: exactly one
 * name differs, the other matches under the rules of issue B */
static HVariant
h_variant (const JnNameKey *family,
           const JnNameKey *given,
           User            *user)
{
  gboolean family_ok = jn_names_match_family (family, &user->family) != JN_NAME_MATCH_NONE;
  gboolean given_ok = jn_names_match_given (given, &user->given) != JN_NAME_MATCH_NONE;

  if (family_ok && given_ok)
    return H_NONE;
  if (family_ok && jn_names_given_cut (given, &user->given))
    return H_CUT;
  if (family_ok && jn_names_one_edit (given->compact, user->given.compact, H_TYPO_MIN_LEN))
    return H_TYPO;
  if (given_ok && jn_names_one_edit (family->compact, user->family.compact, H_TYPO_MIN_LEN))
    return H_TYPO;

  return H_NONE;
}

/* A given name that matches or is a cut of the other: the test of the relatives of a child */
static gboolean
given_fits (const JnNameKey *a,
            const JnNameKey *b)
{
  return jn_names_match_given (a, b) != JN_NAME_MATCH_NONE || jn_names_given_cut (a, b);
}

/* A record issue H may match: no fit under the earlier rules, a clean identifier, not a
 * couple nor a relative without legal responsibility */
static gboolean
h_open (Rec *rec)
{
  if (rec->match != NULL || rec->fixed || rec->fits->len > 0 || rec->held_twice ||
      rec->blocked != JN_PLAN_CAUSE_NONE)
    return FALSE;
  if (rec->category == JN_CATEGORY_RELATIVE &&
      (jn_person_get_is_couple (rec->person) || jn_person_get_legal_rank (rec->person) == 0))
    return FALSE;

  return TRUE;
}

/* The relatives linked in the ENT to the user matched to @child, or NULL */
static GPtrArray *
parents_of_matched (JnMatcher *self,
                    Rec       *child)
{
  if (child == NULL || child->match == NULL)
    return NULL;

  return g_hash_table_lookup (self->parents_of, jn_ent_user_get_id (child->match->user));
}

static void
h_compute_fits (JnMatcher  *self,
                Rec        *rec,
                GHashTable *recs_by_person)
{
  if (rec->category == JN_CATEGORY_RELATIVE)
    {
      GPtrArray *children = jn_person_get_children (rec->person);

      /* Only the parents of a matched child: a handful of users */
      self->stamp++;
      for (guint i = 0; i < children->len; i++)
        {
          GPtrArray *parents = parents_of_matched (self, g_hash_table_lookup (recs_by_person,
                                                                              g_ptr_array_index (children, i)));

          for (guint k = 0; parents != NULL && k < parents->len; k++)
            {
              User *user = g_ptr_array_index (parents, k);
              HVariant variant;

              if (user->stamp == self->stamp)
                continue;
              user->stamp = self->stamp;
              if (conflicting_birth_dates (rec->birth_date, user->birth_date))
                continue;
              variant = h_variant (&rec->family, &rec->given, user);
              if (variant != H_NONE)
                add_fit (rec, user, variant == H_CUT ? JN_RULE_CUT_CHILD : JN_RULE_TYPO_CHILD);
            }
        }
    }
  else if (rec->birth_date != NULL)
    {
      /* Both birth dates known and equal: the users born that day */
      GPtrArray *born = g_hash_table_lookup (self->by_birth[rec->category], rec->birth_date);

      for (guint k = 0; born != NULL && k < born->len; k++)
        {
          User *user = g_ptr_array_index (born, k);
          HVariant variant = h_variant (&rec->family, &rec->given, user);

          if (variant != H_NONE)
            add_fit (rec, user, variant == H_CUT ? JN_RULE_CUT_BIRTH_DATE : JN_RULE_TYPO_BIRTH_DATE);
        }
    }
}

/* Rules given-name-cut and typo over @recs, after their issue-B pass: a user already
 * matched, or another record's fit under any rule, is never given */
static void
h_pass (JnMatcher  *self,
        GPtrArray  *recs,
        GHashTable *recs_by_person)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  for (guint i = 0; i < recs->len; i++)
    {
      Rec *rec = g_ptr_array_index (recs, i);

      if (!h_open (rec))
        continue;
      h_compute_fits (self, rec, recs_by_person);
      if (rec->fits->len > 0)
        g_ptr_array_add (found, rec);
    }

  resolve (found);
}

static gboolean
is_mother (JnPerson *person)
{
  const char *civility = jn_person_get_civility (person);
  g_autoptr(GString) folded = g_string_new (NULL);

  for (const char *p = civility; p != NULL && *p != '\0'; p++)
    if (*p != ' ' && *p != '.')
      g_string_append_c (folded, g_ascii_tolower (*p));

  return g_str_equal (folded->str, "mme") || g_str_equal (folded->str, "madame") ||
         g_str_equal (folded->str, "mlle") || g_str_equal (folded->str, "mademoiselle");
}

static gboolean
ptr_array_has (GPtrArray *array,
               gpointer   data)
{
  return array != NULL && g_ptr_array_find (array, data, NULL);
}

/* The one ENT relative of @rec's matched children whose family name is another (not
 * even one letter away) and whose given name fits, or NULL (none, or several) */
static User *
other_family_candidate (JnMatcher  *self,
                        Rec        *rec,
                        GHashTable *recs_by_person)
{
  GPtrArray *children = jn_person_get_children (rec->person);
  User *candidate = NULL;

  for (guint i = 0; i < children->len; i++)
    {
      GPtrArray *parents = parents_of_matched (self, g_hash_table_lookup (recs_by_person,
                                                                          g_ptr_array_index (children, i)));

      for (guint k = 0; parents != NULL && k < parents->len; k++)
        {
          User *user = g_ptr_array_index (parents, k);

          if (user == candidate ||
              jn_names_match_family (&rec->family, &user->family) != JN_NAME_MATCH_NONE ||
              jn_names_one_edit (rec->family.compact, user->family.compact, H_TYPO_MIN_LEN) ||
              !given_fits (&rec->given, &user->given) ||
              conflicting_birth_dates (rec->birth_date, user->birth_date))
            continue;
          if (candidate != NULL)
            return NULL;
          candidate = user;
        }
    }

  return candidate;
}

/* Rule other-family-name+child: a mother (Civilite Mme, legal guardian) under another
 * family name, through each child linking her: she is the only relative of the child in
 * the export whose given name fits, and the only one in the ENT. Never names alone. */
static void
other_family_pass (JnMatcher  *self,
                   GPtrArray  *all,
                   GHashTable *recs_by_person)
{
  g_autoptr(GHashTable) relatives_of = g_hash_table_new_full (NULL, NULL, NULL,
                                                              (GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GHashTable) claims = g_hash_table_new_full (NULL, NULL, NULL,
                                                        (GDestroyNotify)g_ptr_array_unref);
  GHashTableIter iter;
  gpointer key, value;

  g_autoptr(GPtrArray) mothers = g_ptr_array_new ();
  g_autoptr(GPtrArray) candidates = g_ptr_array_new ();

  for (guint i = 0; i < all->len; i++)
    {
      Rec *rec = g_ptr_array_index (all, i);
      User *candidate;
      guint rank;

      if (rec->category != JN_CATEGORY_RELATIVE || !h_open (rec))
        continue;
      rank = jn_person_get_legal_rank (rec->person);
      if ((rank != 1 && rank != 2) || !is_mother (rec->person))
        continue;
      candidate = other_family_candidate (self, rec, recs_by_person);
      if (candidate == NULL)
        continue;
      g_ptr_array_add (mothers, rec);
      g_ptr_array_add (candidates, candidate);
      for (guint k = 0; k < jn_person_get_children (rec->person)->len; k++)
        g_hash_table_insert (relatives_of, g_ptr_array_index (jn_person_get_children (rec->person), k),
                             g_ptr_array_new ());
    }
  if (mothers->len == 0)
    return;

  /* Every relative record of these children: couples and RespLegal 0 included */
  for (guint i = 0; i < all->len; i++)
    {
      Rec *rec = g_ptr_array_index (all, i);
      GPtrArray *children;

      if (rec->category != JN_CATEGORY_RELATIVE)
        continue;
      children = jn_person_get_children (rec->person);
      for (guint k = 0; k < children->len; k++)
        {
          GPtrArray *list = g_hash_table_lookup (relatives_of, g_ptr_array_index (children, k));

          if (list != NULL && !ptr_array_has (list, rec))
            g_ptr_array_add (list, rec);
        }
    }

  for (guint i = 0; i < mothers->len; i++)
    {
      Rec *rec = g_ptr_array_index (mothers, i);
      User *candidate = g_ptr_array_index (candidates, i);
      GPtrArray *children = jn_person_get_children (rec->person);
      gboolean alone = TRUE;
      GPtrArray *list;

      for (guint k = 0; k < children->len && alone; k++)
        {
          gpointer child = g_ptr_array_index (children, k);
          GPtrArray *parents = parents_of_matched (self, g_hash_table_lookup (recs_by_person, child));
          GPtrArray *others = g_hash_table_lookup (relatives_of, child);

          if (!ptr_array_has (parents, candidate))
            continue;
          for (guint r = 0; others != NULL && r < others->len && alone; r++)
            {
              Rec *other = g_ptr_array_index (others, r);

              if (other != rec && given_fits (&other->given, &candidate->given))
                alone = FALSE;
            }
          for (guint u = 0; u < parents->len && alone; u++)
            {
              User *user = g_ptr_array_index (parents, u);

              if (user != candidate && given_fits (&rec->given, &user->given))
                alone = FALSE;
            }
        }
      if (!alone)
        continue;

      list = g_hash_table_lookup (claims, candidate);
      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (claims, candidate, list);
        }
      g_ptr_array_add (list, rec);
    }

  g_hash_table_iter_init (&iter, claims);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      User *user = key;
      GPtrArray *list = value;
      Rec *rec = g_ptr_array_index (list, 0);

      if (list->len != 1 || user->owner != NULL || user->fitting->len > 0)
        continue;
      rec->match = user;
      rec->rule = JN_RULE_OTHER_FAMILY_CHILD;
      user->owner = rec;
    }
}

/* ---- one identifier, one person ---- */

static const char *
user_key (User *user)
{
  return user->pronote_key ? user->pronote_key : user->pronote_id;
}

/* Invalid identifiers, and identifiers two records share (any categories; compared
 * folded, so that "abc…" and "ABC…" are one) */
static void
mark_blocked (GPtrArray *all)
{
  g_autoptr(GHashTable) first = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < all->len; i++)
    {
      Rec *rec = g_ptr_array_index (all, i);
      const char *pronote_id = jn_person_get_pronote_id (rec->person);
      Rec *other;

      if (!jn_pronote_id_is_wellformed (pronote_id))
        rec->blocked = JN_PLAN_CAUSE_INVALID_IDENTIFIER;
      if (pronote_id == NULL)
        continue;

      rec->key = jn_pronote_id_folded (pronote_id, &rec->folded_key);
      other = g_hash_table_lookup (first, rec->key);
      if (other == NULL)
        {
          g_hash_table_insert (first, (gpointer)rec->key, rec);
          continue;
        }
      if (other->blocked == JN_PLAN_CAUSE_NONE)
        other->blocked = JN_PLAN_CAUSE_DUPLICATE_IN_EXPORT;
      if (rec->blocked == JN_PLAN_CAUSE_NONE)
        rec->blocked = JN_PLAN_CAUSE_DUPLICATE_IN_EXPORT;
    }
}

/* The holders of an identifier several ENT accounts hold: the record's candidates, and
 * none of them goes to another record automatically */
static void
add_holders_as_fits (JnMatcher  *self,
                     Rec        *rec,
                     const char *key)
{
  GPtrArray *users = self->by_category[rec->category];

  for (guint i = 0; i < users->len; i++)
    {
      User *user = g_ptr_array_index (users, i);

      if (user->pronote_id != NULL && g_str_equal (user_key (user), key))
        {
          add_fit (rec, user, JN_RULE_UNCHANGED);
          g_ptr_array_add (user->fitting, rec);
        }
    }
  rec->weak = TRUE;
}

/* Two records of one category with the same names and the same birth date (both given):
 * one person entered twice in PRONOTE, as far as the file can tell */
static gboolean
same_person (Rec *a,
             Rec *b)
{
  return a->category == b->category && a->birth_date != NULL && b->birth_date != NULL &&
         g_str_equal (a->birth_date, b->birth_date) &&
         g_strcmp0 (a->family.compact, b->family.compact) == 0 &&
         g_strcmp0 (a->given.compact, b->given.compact) == 0;
}

static JnPlanCause
cause_of (JnMatcher *self,
          Rec       *rec)
{
  User *user;

  if (rec->blocked != JN_PLAN_CAUSE_NONE)
    return rec->blocked;
  if (rec->held_twice)
    return JN_PLAN_CAUSE_SEVERAL_ACCOUNTS;
  if (rec->category == JN_CATEGORY_RELATIVE && jn_person_get_is_couple (rec->person))
    return JN_PLAN_CAUSE_COUPLE;
  /* The export says so (RespLegal="0"): never matched automatically, rarely in the ENT */
  if (rec->category == JN_CATEGORY_RELATIVE && jn_person_get_legal_rank_known (rec->person) &&
      jn_person_get_legal_rank (rec->person) == 0)
    return JN_PLAN_CAUSE_NOT_GUARDIAN;
  if (rec->fits->len == 0)
    {
      g_autofree char *key = NULL;

      if (g_hash_table_size (self->elsewhere) == 0)
        return JN_PLAN_CAUSE_NO_ACCOUNT;
      key = g_strdup_printf ("%u|%s|%s", rec->category, rec->family.compact, rec->given.compact);
      return g_hash_table_contains (self->elsewhere, key) ? JN_PLAN_CAUSE_OTHER_ESTABLISHMENT
                                                          : JN_PLAN_CAUSE_NO_ACCOUNT;
    }
  if (rec->fits->len > 1)
    return JN_PLAN_CAUSE_SEVERAL_ACCOUNTS;

  /* One close account, which another record also fits or already has: the same person
   * twice in the file (same names and birth date), or homonyms */
  user = g_array_index (rec->fits, Fit, 0).user;
  if (user->owner != NULL && user->owner != rec && same_person (rec, user->owner))
    return JN_PLAN_CAUSE_DUPLICATE_IN_EXPORT;
  for (guint i = 0; i < user->fitting->len; i++)
    {
      Rec *other = g_ptr_array_index (user->fitting, i);

      if (other != rec && same_person (rec, other))
        return JN_PLAN_CAUSE_DUPLICATE_IN_EXPORT;
    }
  if (user->fitting->len > 1 || (user->owner != NULL && user->owner != rec))
    return JN_PLAN_CAUSE_SEVERAL_ACCOUNTS;

  return JN_PLAN_CAUSE_WEAK_EVIDENCE;
}

static double
score_user (JnMatcher *self,
            Rec       *rec,
            User      *user,
            JnReasons *out_reasons);

static int
compare_suggestions (gconstpointer a,
                     gconstpointer b)
{
  const JnSuggestion *sa = a, *sb = b;

  if (sa->score != sb->score)
    return sa->score > sb->score ? -1 : 1;

  return strcmp (jn_ent_user_get_id (sa->user), jn_ent_user_get_id (sb->user));
}

static void
set_ambiguous (JnMatcher *self,
               Rec       *rec)
{
  g_autoptr(GArray) ranked = g_array_new (FALSE, FALSE, sizeof (JnSuggestion));
  g_autoptr(GPtrArray) candidates = g_ptr_array_new ();

  for (guint f = 0; f < rec->fits->len; f++)
    {
      JnSuggestion suggestion = { g_array_index (rec->fits, Fit, f).user->user, 0, 0 };

      suggestion.score = score_user (self, rec, g_array_index (rec->fits, Fit, f).user, NULL);
      g_array_append_val (ranked, suggestion);
    }
  g_array_sort (ranked, compare_suggestions);

  for (guint i = 0; i < ranked->len; i++)
    g_ptr_array_add (candidates, g_array_index (ranked, JnSuggestion, i).user);

  jn_plan_item_set_ambiguous (rec->item, candidates);
}

static void
rec_free (Rec *rec)
{
  g_clear_pointer (&rec->child_keys, g_hash_table_unref);
  g_free (rec->folded_key);
  jn_name_key_clear (&rec->family);
  jn_name_key_clear (&rec->given);
  g_array_unref (rec->fits);
  g_object_unref (rec->item);
  g_free (rec);
}

static int
compare_string_pointers (const void *a,
                         const void *b)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

/* The ENT id of a user of the establishment holding @pronote_id (folded) other than
 * @ent_id, or NULL */
static const char *
other_holder (JnMatcher  *self,
              const char *pronote_id,
              const char *ent_id)
{
  g_autofree char *folded = NULL;
  const char *key = jn_pronote_id_folded (pronote_id, &folded);
  User *holder = g_hash_table_lookup (self->by_pronote_id, key);

  if (holder == NULL)
    return NULL;
  if (holder != &duplicate_marker)
    return g_strcmp0 (jn_ent_user_get_id (holder->user), ent_id) != 0 ? jn_ent_user_get_id (holder->user) : NULL;

  for (guint i = 0; i < self->n_users; i++)
    {
      User *user = &self->users[i];

      if (user->pronote_id != NULL && g_str_equal (user_key (user), key) &&
          g_strcmp0 (jn_ent_user_get_id (user->user), ent_id) != 0)
        return jn_ent_user_get_id (user->user);
    }

  return NULL;
}

/* The checks of one decision (a decisions file's, or a click in the wizard): appends the
 * reason to @problems and returns FALSE when it cannot be applied. @decided_users: ENT id →
 * pronote id of the other decisions' users. */
static gboolean
check_decision (JnMatcher   *self,
                JnPlan      *plan,
                const char  *pronote_id,
                const char  *ent_id,
                GHashTable  *decided_users,
                GString     *problems)
{
  JnPlanItem *item = jn_plan_lookup (plan, pronote_id);
  JnEntUser *user;
  JnCategory category;
  const char *other;
  const char *holder;
  gboolean clears;
  /* The decisions file is untrusted: what it says is shown escaped */
  g_autofree char *shown_pid = jn_text_escape_for_terminal (pronote_id);
  g_autofree char *shown_ent = jn_text_escape_for_terminal (ent_id);
  g_autofree char *shown_other = NULL;
  g_autofree char *shown_holder = NULL;

  /* Complete mode removes an identifier from whoever else holds it, in a whole directory */
  clears = jn_plan_get_mode (plan) == JN_IMPORT_MODE_COMPLETE && self->complete;

  if (!jn_pronote_id_is_wellformed (pronote_id))
    {
      g_string_append_printf (problems,
                              _("\n  %s: not a PRONOTE identifier (16 characters among %s)"),
                              shown_pid, JN_PRONOTE_ID_ALPHABET);
      return FALSE;
    }
  if (item == NULL)
    {
      g_string_append_printf (problems, _("\n  %s: no record of the export has this identifier"),
                              shown_pid);
      return FALSE;
    }
  if (ent_id == NULL)
    return TRUE;
  if (jn_plan_item_get_cause (item) == JN_PLAN_CAUSE_DUPLICATE_IN_EXPORT)
    {
      g_string_append_printf (problems,
                              _("\n  %s: several records of the export have this identifier: "
                                "none can be imported until PRONOTE gives each its own"),
                              shown_pid);
      return FALSE;
    }
  if (jn_plan_item_get_blocked (item))
    {
      g_string_append_printf (problems, _("\n  %s: not a PRONOTE identifier"), shown_pid);
      return FALSE;
    }

  user = jn_directory_lookup (self->directory, ent_id);
  if (user == NULL)
    {
      g_string_append_printf (problems, _("\n  %s: the ENT has no user “%s”"), shown_pid, shown_ent);
      return FALSE;
    }
  if (!jn_ent_user_belongs_to (user, self->uai))
    {
      g_string_append_printf (problems, _("\n  %s: the ENT user “%s” does not belong to establishment %s"),
                              shown_pid, shown_ent, self->uai);
      return FALSE;
    }
  if (!jn_ent_user_get_category (user, &category) ||
      category != jn_plan_item_get_category (item))
    {
      g_string_append_printf (problems, _("\n  %s: the ENT user “%s” is not in the category %s"),
                              shown_pid, shown_ent,
                              jn_category_get_label (jn_plan_item_get_category (item)));
      return FALSE;
    }
  if ((other = g_hash_table_lookup (decided_users, ent_id)) != NULL)
    {
      g_string_append_printf (problems, _("\n  %s: the ENT user “%s” is also chosen for %s"),
                              shown_pid, shown_ent, (shown_other = jn_text_escape_for_terminal (other)));
      return FALSE;
    }
  if ((holder = other_holder (self, pronote_id, ent_id)) != NULL && !clears)
    {
      g_string_append_printf (problems,
                              _("\n  %s: the ENT user “%s” already holds this identifier and "
                                "would keep it (only complete mode removes it)"),
                              shown_pid, (shown_holder = jn_text_escape_for_terminal (holder)));
      return FALSE;
    }

  return TRUE;
}

static gboolean
apply_decisions (JnMatcher   *self,
                 JnPlan      *plan,
                 GHashTable  *decisions,
                 GError     **error)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GHashTable) decided_users = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree gpointer *keys = NULL;
  guint n_keys = 0;

  keys = g_hash_table_get_keys_as_array (decisions, &n_keys);
  qsort (keys, n_keys, sizeof (gpointer), compare_string_pointers);

  for (guint i = 0; i < n_keys; i++)
    {
      const char *pronote_id = keys[i];
      const char *ent_id = g_hash_table_lookup (decisions, pronote_id);

      if (check_decision (self, plan, pronote_id, ent_id, decided_users, problems) && ent_id != NULL)
        g_hash_table_insert (decided_users, (gpointer)ent_id, (gpointer)pronote_id);
    }

  /* A decided user must not keep another record's automatic match. */
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (plan, c);

      for (guint i = 0; i < g_list_model_get_n_items (items); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);
          const char *pronote_id = jn_plan_item_get_pronote_id (item);
          const char *decided_for;

          if (jn_plan_item_get_state (item) != JN_PLAN_STATE_MATCHED ||
              (pronote_id != NULL && g_hash_table_contains (decisions, pronote_id)))
            continue;

          decided_for = g_hash_table_lookup (decided_users, jn_ent_user_get_id (jn_plan_item_get_user (item)));
          if (decided_for != NULL)
            {
              g_autofree char *shown_ent = jn_text_escape_for_terminal (jn_ent_user_get_id (jn_plan_item_get_user (item)));

              g_string_append_printf (problems,
                                      _("\n  %s: the ENT user “%s” is already matched to %s"),
                                      decided_for, shown_ent, pronote_id);
            }
        }
    }

  if (problems->len > 0)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_DECISION,
                   _("some decisions cannot be applied:%s"), problems->str);
      return FALSE;
    }

  for (guint i = 0; i < n_keys; i++)
    {
      JnPlanItem *item = jn_plan_lookup (plan, keys[i]);
      const char *ent_id = g_hash_table_lookup (decisions, keys[i]);

      /* What the matcher found, for "Undo" */
      jn_plan_item_remember_automatic (item);
      if (ent_id == NULL)
        jn_plan_item_set_skipped (item);
      else
        jn_plan_item_set_matched (item, jn_directory_lookup (self->directory, ent_id),
                                  JN_RULE_MANUAL, self->uai);
    }

  return TRUE;
}

/* The identifiers complete mode removes: held by a user no record is matched to, and no
 * longer in the file or given to someone else. Per category, in directory order. */
static void
collect_clears (JnMatcher *self,
                JnPlan    *plan,
                GPtrArray *clears[JN_N_CATEGORIES])
{
  g_autoptr(GHashTable) matched_users = g_hash_table_new (NULL, NULL);

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (plan, c);

      for (guint i = 0; i < g_list_model_get_n_items (items); i++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, i);

          if (jn_plan_item_get_state (item) == JN_PLAN_STATE_MATCHED)
            g_hash_table_add (matched_users, jn_plan_item_get_user (item));
        }
    }

  for (guint i = 0; i < self->n_users; i++)
    {
      User *user = &self->users[i];
      JnPlanItem *holder;

      if (user->pronote_id == NULL || g_hash_table_contains (matched_users, user->user))
        continue;

      /* Stale: the file no longer has the identifier, or gives it to someone else. */
      holder = jn_plan_lookup (plan, user->pronote_id);
      if (holder == NULL || jn_plan_item_get_state (holder) == JN_PLAN_STATE_MATCHED)
        g_ptr_array_add (clears[user->category],
                         jn_plan_item_new_clear (user->user, user->category, user->pronote_id));
    }
}

static void
add_clears (JnMatcher *self,
            JnPlan    *plan)
{
  GPtrArray *clears[JN_N_CATEGORIES];

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    clears[c] = g_ptr_array_new_with_free_func (g_object_unref);
  collect_clears (self, plan, clears);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      for (guint i = 0; i < clears[c]->len; i++)
        jn_plan_add_item (plan, g_ptr_array_index (clears[c], i));
      g_ptr_array_unref (clears[c]);
    }
}

/* After a decision: the removals it adds or saves, each category's list replaced only
 * where it changed */
static void
refresh_clears (JnMatcher *self,
                JnPlan    *plan)
{
  GPtrArray *clears[JN_N_CATEGORIES];

  if (jn_plan_get_mode (plan) != JN_IMPORT_MODE_COMPLETE || !self->complete)
    return;

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    clears[c] = g_ptr_array_new_with_free_func (g_object_unref);
  collect_clears (self, plan, clears);
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      jn_plan_replace_clears (plan, c, clears[c]);
      g_ptr_array_unref (clears[c]);
    }
}

/* The user holding a record's identifier is someone else by every other evidence: a
 * birth date that differs, or neither name alike (a married name keeps the given name) */
static gboolean
holder_contradicts (Rec  *rec,
                    User *holder)
{
  if (conflicting_birth_dates (rec->birth_date, holder->birth_date))
    return TRUE;

  return jn_names_match_family (&rec->family, &holder->family) == JN_NAME_MATCH_NONE &&
         jn_names_match_given (&rec->given, &holder->given) == JN_NAME_MATCH_NONE &&
         !jn_names_one_edit (rec->family.compact, holder->family.compact, 5) &&
         !jn_names_one_edit (rec->given.compact, holder->given.compact, 5) &&
         !jn_names_given_cut (&rec->given, &holder->given);
}

JnPlan *
jn_matcher_match (JnMatcher     *self,
                  JnExport      *export,
                  JnImportMode   mode,
                  GHashTable    *decisions,
                  GError       **error)
{
  g_autoptr(JnPlan) plan = NULL;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify)rec_free);
  g_autoptr(GHashTable) recs_by_person = g_hash_table_new (NULL, NULL);
  g_autoptr(GHashTable) name_counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GPtrArray) first_pass = g_ptr_array_new ();
  g_autoptr(GPtrArray) relatives = g_ptr_array_new ();

  g_return_val_if_fail (JN_IS_MATCHER (self), NULL);
  g_return_val_if_fail (JN_IS_EXPORT (export), NULL);

  plan = jn_plan_new (self->uai, mode);
  self->complete = jn_directory_get_complete (self->directory);

  for (guint i = 0; i < self->n_users; i++)
    {
      g_ptr_array_set_size (self->users[i].fitting, 0);
      self->users[i].owner = NULL;
    }

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *model = jn_export_get_category_model (export, c);
      guint n = g_list_model_get_n_items (model);
      g_autoptr(GPtrArray) items = g_ptr_array_sized_new (n);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(JnPerson) person = g_list_model_get_item (model, i);
          Rec *rec = g_new0 (Rec, 1);
          g_autofree char *key = NULL;
          guint count;

          rec->person = person;
          rec->category = c;
          rec->item = jn_plan_item_new (person, c);
          rec->fits = g_array_new (FALSE, FALSE, sizeof (Fit));
          rec->birth_date = jn_person_get_birth_date (person);
          jn_name_key_init_family (&rec->family, jn_person_get_family_name (person));
          jn_name_key_init_given (&rec->given, jn_person_get_given_name (person));
          g_ptr_array_add (items, rec->item);
          g_ptr_array_add (all, rec);
          g_hash_table_insert (recs_by_person, person, rec);

          key = g_strdup_printf ("%u|%s|%s", c, rec->family.compact, rec->given.compact);
          count = GPOINTER_TO_UINT (g_hash_table_lookup (name_counts, key));
          g_hash_table_insert (name_counts, g_steal_pointer (&key), GUINT_TO_POINTER (count + 1));
        }
      jn_plan_add_items (plan, c, items);
    }

  mark_blocked (all);

  /* The identifier already in place is the strongest evidence. */
  for (guint i = 0; i < all->len; i++)
    {
      Rec *rec = g_ptr_array_index (all, i);
      User *holder;

      if (rec->blocked != JN_PLAN_CAUSE_NONE)
        continue;

      holder = g_hash_table_lookup (self->by_pronote_id, rec->key);
      if (holder == &duplicate_marker)
        {
          /* Several ENT accounts hold it already: never made worse automatically */
          rec->held_twice = TRUE;
          add_holders_as_fits (self, rec, rec->key);
        }
      else if (holder != NULL && holder->category == rec->category && holder->owner == NULL &&
               holder_contradicts (rec, holder))
        {
          /* The ENT gave this identifier to someone whose names and birth date say otherwise
           * (an earlier wrong match, a reused account): not evidence. The record is matched
           * by the other rules, or shown with the holder to the admin. */
          rec->contradicted_holder = holder;
        }
      else if (holder != NULL && holder->category == rec->category && holder->owner == NULL)
        {
          rec->fixed = TRUE;
          rec->match = holder;
          /* The same identifier written otherwise (case, spaces): rewritten as PRONOTE has it */
          rec->rule = g_strcmp0 (holder->pronote_id, jn_person_get_pronote_id (rec->person)) == 0
                        ? JN_RULE_UNCHANGED : JN_RULE_ID_VARIANT;
          holder->owner = rec;
        }
    }

  /* Relatives need their children's matches: they come second. Invalid identifiers and
   * identifiers held twice take no part: the first are never written, the second have
   * their holders as candidates. */
  for (guint i = 0; i < all->len; i++)
    {
      Rec *rec = g_ptr_array_index (all, i);

      if (rec->fixed || rec->held_twice || rec->blocked == JN_PLAN_CAUSE_INVALID_IDENTIFIER)
        continue;
      g_ptr_array_add (rec->category == JN_CATEGORY_RELATIVE ? relatives : first_pass, rec);
    }

  for (guint i = 0; i < first_pass->len; i++)
    compute_fits (self, g_ptr_array_index (first_pass, i), name_counts, recs_by_person);
  resolve (first_pass);
  /* Issue H after issue B, category by category: relatives see the children it matched */
  h_pass (self, first_pass, recs_by_person);

  for (guint i = 0; i < relatives->len; i++)
    compute_fits (self, g_ptr_array_index (relatives, i), name_counts, recs_by_person);
  resolve (relatives);
  h_pass (self, relatives, recs_by_person);
  other_family_pass (self, all, recs_by_person);

  for (guint i = 0; i < all->len; i++)
    {
      Rec *rec = g_ptr_array_index (all, i);

      if (rec->match == NULL && rec->fits->len == 0 && rec->contradicted_holder != NULL &&
          rec->contradicted_holder->owner == NULL)
        add_fit (rec, rec->contradicted_holder, NULL);

      if (rec->match != NULL)
        jn_plan_item_set_matched (rec->item, rec->match->user, rec->rule, self->uai);
      else if (rec->fits->len > 0)
        set_ambiguous (self, rec);
      else
        jn_plan_item_set_unmatched (rec->item);
      if (rec->match == NULL)
        jn_plan_item_set_cause (rec->item, cause_of (self, rec));
    }

  if (decisions != NULL && !apply_decisions (self, plan, decisions, error))
    return NULL;

  /* A stale identifier is one nobody holds in a directory known whole */
  if (mode == JN_IMPORT_MODE_COMPLETE && self->complete)
    add_clears (self, plan);

  return g_steal_pointer (&plan);
}

gboolean
jn_matcher_check_directory (JnDirectory  *directory,
                            const char   *uai,
                            JnExport     *export,
                            GError      **error)
{
  static const JnCategory checked[] = { JN_CATEGORY_TEACHER, JN_CATEGORY_STUDENT, JN_CATEGORY_RELATIVE };
  g_autoptr(GString) small = g_string_new (NULL);
  GListModel *users;
  guint n_by_category[JN_N_CATEGORIES] = { 0 };
  guint n_records = 0, n_users = 0, n;

  g_return_val_if_fail (JN_IS_DIRECTORY (directory), FALSE);
  g_return_val_if_fail (uai != NULL, FALSE);
  g_return_val_if_fail (JN_IS_EXPORT (export), FALSE);

  users = jn_directory_get_users (directory);
  n = g_list_model_get_n_items (users);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(JnEntUser) user = g_list_model_get_item (users, i);
      JnCategory category;

      if (jn_ent_user_belongs_to (user, uai) && jn_ent_user_get_category (user, &category))
        {
          n_by_category[category]++;
          n_users++;
        }
    }

  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    n_records += g_list_model_get_n_items (jn_export_get_category_model (export, c));

  if (n_records > 0 && n_users == 0)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
                   _("the ENT directory has no account of establishment %s (%u users in all, "
                     "of other establishments or of no known profile): wrong establishment, or "
                     "an account limited to another one?"),
                   uai, n);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (checked); i++)
    {
      guint n_export = g_list_model_get_n_items (jn_export_get_category_model (export, checked[i]));
      guint n_ent = n_by_category[checked[i]];

      if (n_export >= JN_SMALL_DIRECTORY_MIN && n_ent < (n_export + 1) / 2)
        g_string_append_printf (small, _("\n  %s: %u accounts for %u records"),
                                jn_category_get_label (checked[i]), n_ent, n_export);
    }

  if (small->len > 0)
    {
      g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
                   _("the ENT directory of %s looks incomplete (fewer than half as many accounts "
                     "as the export has records):%s"), uai, small->str);
      return FALSE;
    }

  return TRUE;
}

/* ---- suggestions ---- */

static guint
group_of (GHashTable *groups,
          const char *value)
{
  gpointer group;

  if (!g_hash_table_lookup_extended (groups, value, NULL, &group))
    {
      group = GUINT_TO_POINTER (g_hash_table_size (groups));
      g_hash_table_insert (groups, (gpointer)value, group);
    }

  return GPOINTER_TO_UINT (group);
}

/* Once per matcher, for jn_matcher_suggest() to scan a category without a string built
 * or compared twice: users share names, so the cheap cut compares the record's with each
 * distinct value once per call; and each user's children are resolved here. */
static void
index_family_groups (JnMatcher *self)
{
  g_autoptr(GHashTable) compacts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) firsts = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) givens = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < self->n_users; i++)
    {
      User *user = &self->users[i];

      user->family_group = group_of (compacts, user->family.compact);
      user->first_group = group_of (firsts, user->family.first);
      user->given_group = group_of (givens, user->given.folded);
      user->child_key = g_strconcat (user->family.compact, "|", user->given.compact, NULL);
    }
  self->n_family_groups = g_hash_table_size (compacts);
  self->n_first_groups = g_hash_table_size (firsts);
  self->n_given_groups = g_hash_table_size (givens);

  for (guint i = 0; i < self->n_users; i++)
    {
      User *user = &self->users[i];
      const char * const *ent_children = jn_ent_user_get_children (user->user);

      for (guint k = 0; ent_children != NULL && ent_children[k] != NULL; k++)
        {
          User *child = g_hash_table_lookup (self->by_id, ent_children[k]);

          if (child == NULL)
            continue;
          if (user->children == NULL)
            user->children = g_ptr_array_new ();
          g_ptr_array_add (user->children, child);
        }
    }
}

/* jn_names_similarity (@value, the value of @group), computed once per call in @memo
 * (negative: not yet) */
static double
memo_similarity (double     *memo,
                 guint       group,
                 const char *value,
                 const char *other)
{
  if (memo[group] < 0)
    memo[group] = jn_names_similarity (value, other);

  return memo[group];
}

/* given_fits (@given, the key of @group), computed once per call in @memo (-1: not yet) */
static gboolean
memo_given_fits (gint8           *memo,
                 guint            group,
                 const JnNameKey *given,
                 const JnNameKey *other)
{
  if (memo[group] < 0)
    memo[group] = given_fits (given, other);

  return memo[group];
}

static GHashTable *
rec_child_keys (Rec *rec)
{
  if (rec->child_keys == NULL)
    {
      GPtrArray *children = jn_person_get_children (rec->person);

      rec->child_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
      for (guint i = 0; i < children->len; i++)
        {
          JnPerson *child = g_ptr_array_index (children, i);
          g_autofree char *family = jn_names_compact (jn_person_get_family_name (child));
          g_autofree char *given = jn_names_compact (jn_person_get_given_name (child));

          g_hash_table_add (rec->child_keys, g_strconcat (family, "|", given, NULL));
        }
    }

  return rec->child_keys;
}

/* A child of the same names as one of @rec's among the ENT user's children (as the ENT
 * names it), or NULL */
static User *
child_in_common (JnMatcher *self,
                 Rec       *rec,
                 User      *user)
{
  GHashTable *keys;

  /* The children as the ENT names them, resolved once (index_family_groups()) */
  if (user->children == NULL)
    return NULL;
  keys = rec_child_keys (rec);
  for (guint k = 0; k < user->children->len && g_hash_table_size (keys) > 0; k++)
    {
      User *child = g_ptr_array_index (user->children, k);

      if (g_hash_table_contains (keys, child->child_key))
        return child;
    }

  return NULL;
}

static double
score_user (JnMatcher *self,
            Rec       *rec,
            User      *user,
            JnReasons *out_reasons)
{
  JnNameMatch family = jn_names_match_family (&rec->family, &user->family);
  JnNameMatch given = jn_names_match_given (&rec->given, &user->given);
  double family_sim, given_sim, score;
  JnReasons reasons = 0;

  family_sim = MAX (jn_names_similarity (rec->family.compact, user->family.compact),
                    0.95 * jn_names_similarity (rec->family.first, user->family.first));
  given_sim = MAX (jn_names_similarity (rec->given.compact, user->given.compact),
                   0.9 * jn_names_similarity (rec->given.first, user->given.first));
  if (family == JN_NAME_MATCH_VARIANT)
    family_sim = MAX (family_sim, 0.9);
  if (given == JN_NAME_MATCH_VARIANT)
    given_sim = MAX (given_sim, 0.9);

  score = 0.5 * family_sim + 0.35 * given_sim;

  if (family == JN_NAME_MATCH_EXACT && given == JN_NAME_MATCH_EXACT)
    {
      const char *raw_family = jn_person_get_family_name (rec->person);
      const char *raw_given = jn_person_get_given_name (rec->person);

      if (g_strcmp0 (raw_family, jn_ent_user_get_family_name (user->user)) == 0 &&
          g_strcmp0 (raw_given, jn_ent_user_get_given_name (user->user)) == 0)
        reasons |= JN_REASON_SAME_NAMES;
      else if (g_str_equal (rec->family.folded, user->family.folded) &&
               g_str_equal (rec->given.folded, user->given.folded))
        reasons |= JN_REASON_ACCENTS_OR_CASE;
      else
        reasons |= JN_REASON_HYPHENS_OR_SPACES;
    }
  else
    {
      if (given == JN_NAME_MATCH_VARIANT)
        reasons |= JN_REASON_FIRST_GIVEN_NAME;
      if (family == JN_NAME_MATCH_VARIANT)
        reasons |= g_str_equal (rec->family.first, user->family.first) ? JN_REASON_PARTICLE
                                                                        : JN_REASON_DOUBLE_FAMILY_NAME;
      /* Issue H's variants: one name cut or one letter away, the other matching */
      switch (h_variant (&rec->family, &rec->given, user))
        {
        case H_CUT:
          reasons |= JN_REASON_GIVEN_NAME_CUT;
          given_sim = MAX (given_sim, 0.85);
          break;
        case H_TYPO:
          reasons |= JN_REASON_ONE_LETTER;
          break;
        case H_NONE:
        default:
          if (rec->category == JN_CATEGORY_RELATIVE && family == JN_NAME_MATCH_NONE &&
              !jn_names_one_edit (rec->family.compact, user->family.compact, H_TYPO_MIN_LEN) &&
              given_fits (&rec->given, &user->given) && child_in_common (self, rec, user) != NULL)
            reasons |= JN_REASON_OTHER_FAMILY_NAME;
          break;
        }
      score = 0.5 * family_sim + 0.35 * given_sim;
      if (reasons & JN_REASON_OTHER_FAMILY_NAME)
        score = MAX (score, 0.5);
      if (!(reasons & (JN_REASON_GIVEN_NAME_CUT | JN_REASON_ONE_LETTER | JN_REASON_OTHER_FAMILY_NAME)) &&
          (family == JN_NAME_MATCH_NONE || given == JN_NAME_MATCH_NONE) &&
          family_sim >= 0.9 && given_sim >= 0.85)
        reasons |= JN_REASON_CLOSE_SPELLING;
    }

  if (same_birth_date (rec->birth_date, user->birth_date))
    {
      score += 0.15;
      reasons |= JN_REASON_SAME_BIRTH_DATE;
    }
  else if (conflicting_birth_dates (rec->birth_date, user->birth_date))
    {
      score -= 0.15;
      reasons |= JN_REASON_OTHER_BIRTH_DATE;
    }

  if (rec->category == JN_CATEGORY_RELATIVE && child_in_common (self, rec, user) != NULL)
    {
      reasons |= JN_REASON_CHILD_IN_COMMON;
      score += 0.15;
    }

  if (user->pronote_id != NULL &&
      g_strcmp0 (user->pronote_id, jn_person_get_pronote_id (rec->person)) != 0)
    reasons |= JN_REASON_HOLDS_OTHER_ID;

  if (out_reasons != NULL)
    *out_reasons = reasons;

  return CLAMP (score, 0.0, 1.0);
}

/* Marks JN_REASON_ALREADY_TAKEN on the suggestions whose user another record of
 * @category than @person's is matched to in @plan: one pass over the category for all */
static void
mark_taken (GArray     *results,
            JnPlan     *plan,
            JnCategory  category,
            JnPerson   *person)
{
  g_autoptr(GHashTable) wanted = g_hash_table_new (NULL, NULL);   /* JnEntUser → JnSuggestion */
  GListModel *items = jn_plan_get_items (plan, category);
  guint n = g_list_model_get_n_items (items);

  for (guint i = 0; i < results->len; i++)
    g_hash_table_insert (wanted, g_array_index (results, JnSuggestion, i).user,
                         &g_array_index (results, JnSuggestion, i));

  for (guint k = 0; k < n && g_hash_table_size (wanted) > 0; k++)
    {
      g_autoptr(JnPlanItem) item = g_list_model_get_item (items, k);
      JnSuggestion *suggestion;

      if (jn_plan_item_get_state (item) != JN_PLAN_STATE_MATCHED ||
          jn_plan_item_get_person (item) == person)
        continue;
      suggestion = g_hash_table_lookup (wanted, jn_plan_item_get_user (item));
      if (suggestion != NULL)
        {
          suggestion->reasons |= JN_REASON_ALREADY_TAKEN;
          g_hash_table_remove (wanted, suggestion->user);
        }
    }
}

GArray *
jn_matcher_suggest (JnMatcher *self,
                    JnPerson  *person,
                    JnPlan    *plan,
                    guint      max_results)
{
  GArray *results = g_array_new (FALSE, FALSE, sizeof (JnSuggestion));
  g_autofree double *compact_memo = NULL;
  g_autofree double *first_memo = NULL;
  g_autofree gint8 *given_memo = NULL;
  GPtrArray *users;
  Rec rec = { 0 };

  g_return_val_if_fail (JN_IS_MATCHER (self), results);
  g_return_val_if_fail (JN_IS_PERSON (person), results);

  rec.person = person;
  rec.category = jn_person_get_category (person);
  rec.birth_date = jn_person_get_birth_date (person);
  jn_name_key_init_family (&rec.family, jn_person_get_family_name (person));
  jn_name_key_init_given (&rec.given, jn_person_get_given_name (person));

  compact_memo = g_new (double, self->n_family_groups + 1);
  first_memo = g_new (double, self->n_first_groups + 1);
  for (guint g = 0; g <= self->n_family_groups; g++)
    compact_memo[g] = -1;
  for (guint g = 0; g <= self->n_first_groups; g++)
    first_memo[g] = -1;
  given_memo = g_new (gint8, self->n_given_groups + 1);
  memset (given_memo, -1, self->n_given_groups + 1);

  users = self->by_category[rec.category];
  for (guint i = 0; i < users->len; i++)
    {
      User *user = g_ptr_array_index (users, i);
      JnSuggestion suggestion = { user->user, 0, 0 };

      /* Cheap cut before the full score: nothing alike in the family name, unless a
       * parent of a child in common under another family name */
      if (memo_similarity (compact_memo, user->family_group, rec.family.compact, user->family.compact) < 0.75 &&
          memo_similarity (first_memo, user->first_group, rec.family.first, user->family.first) < 0.75 &&
          (rec.category != JN_CATEGORY_RELATIVE ||
           !memo_given_fits (given_memo, user->given_group, &rec.given, &user->given) ||
           child_in_common (self, &rec, user) == NULL))
        continue;

      suggestion.score = score_user (self, &rec, user, &suggestion.reasons);
      if (suggestion.score < 0.55)
        continue;

      g_array_append_val (results, suggestion);
    }

  g_array_sort (results, compare_suggestions);
  if (max_results > 0 && results->len > max_results)
    g_array_set_size (results, max_results);

  /* Taken by another record of the plan: one pass over the category for the suggestions
   * kept, when there are any (not one pass per candidate) */
  if (plan != NULL && results->len > 0)
    mark_taken (results, plan, rec.category, person);

  g_clear_pointer (&rec.child_keys, g_hash_table_unref);
  jn_name_key_clear (&rec.family);
  jn_name_key_clear (&rec.given);

  return results;
}

/* The record's child whose names the ENT user's child @child has, or NULL */
static JnPerson *
record_child_named (Rec  *rec,
                    User *child)
{
  GPtrArray *children = jn_person_get_children (rec->person);

  for (guint i = 0; i < children->len; i++)
    {
      JnPerson *person = g_ptr_array_index (children, i);
      g_autofree char *family = jn_names_compact (jn_person_get_family_name (person));
      g_autofree char *given = jn_names_compact (jn_person_get_given_name (person));

      if (g_str_equal (family, child->family.compact) && g_str_equal (given, child->given.compact))
        return person;
    }

  return NULL;
}

char *
jn_matcher_explain (JnMatcher *self,
                    JnPerson  *person,
                    JnEntUser *ent_user,
                    JnPlan    *plan)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *rest = NULL;
  JnReasons reasons = 0;
  User *user;
  Rec rec = { 0 };

  g_return_val_if_fail (JN_IS_MATCHER (self), NULL);
  g_return_val_if_fail (JN_IS_PERSON (person), NULL);
  g_return_val_if_fail (JN_IS_ENT_USER (ent_user), NULL);

  user = g_hash_table_lookup (self->by_id, jn_ent_user_get_id (ent_user));
  if (user == NULL || user->user != ent_user)
    return g_strdup ("");

  rec.person = person;
  rec.category = jn_person_get_category (person);
  rec.birth_date = jn_person_get_birth_date (person);
  jn_name_key_init_family (&rec.family, jn_person_get_family_name (person));
  jn_name_key_init_given (&rec.given, jn_person_get_given_name (person));
  score_user (self, &rec, user, &reasons);

  if (plan != NULL)
    {
      GListModel *items = jn_plan_get_items (plan, rec.category);

      for (guint k = 0; k < g_list_model_get_n_items (items); k++)
        {
          g_autoptr(JnPlanItem) item = g_list_model_get_item (items, k);

          if (jn_plan_item_get_user (item) == ent_user && jn_plan_item_get_person (item) != person &&
              jn_plan_item_get_state (item) == JN_PLAN_STATE_MATCHED)
            {
              reasons |= JN_REASON_ALREADY_TAKEN;
              break;
            }
        }
    }

  if (reasons & JN_REASON_GIVEN_NAME_CUT)
    g_string_append_printf (out, _("given name cut: %s / %s"), jn_person_get_given_name (person),
                            jn_ent_user_get_given_name (ent_user));
  if (reasons & JN_REASON_ONE_LETTER)
    {
      gboolean in_given = jn_names_match_family (&rec.family, &user->family) != JN_NAME_MATCH_NONE;

      g_string_append_printf (out, _("one letter differs: %s / %s"),
                              in_given ? jn_person_get_given_name (person) : jn_person_get_family_name (person),
                              in_given ? jn_ent_user_get_given_name (ent_user) : jn_ent_user_get_family_name (ent_user));
    }
  if (reasons & JN_REASON_OTHER_FAMILY_NAME)
    {
      User *child = child_in_common (self, &rec, user);
      JnPerson *record_child = child ? record_child_named (&rec, child) : NULL;
      g_autofree char *name = record_child ? jn_person_dup_display_name (record_child)
                                           : jn_ent_user_dup_display_name (child->user);

      if (out->len > 0)
        g_string_append (out, ", ");
      if (is_mother (person))
        g_string_append_printf (out, _("mother of %s, another family name"), name);
      else
        g_string_append_printf (out, _("parent of %s, another family name"), name);
    }

  /* The detailed ones above, and the child already named */
  rest = jn_reasons_to_string (reasons & ~(JN_REASON_GIVEN_NAME_CUT | JN_REASON_ONE_LETTER |
                                           JN_REASON_OTHER_FAMILY_NAME |
                                           ((reasons & JN_REASON_OTHER_FAMILY_NAME) ? JN_REASON_CHILD_IN_COMMON : 0)));
  if (out->len > 0 && rest[0] != '\0')
    g_string_append (out, ", ");
  g_string_append (out, rest);

  g_clear_pointer (&rec.child_keys, g_hash_table_unref);
  jn_name_key_clear (&rec.family);
  jn_name_key_clear (&rec.given);

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
jn_reasons_to_string (JnReasons reasons)
{
  static const struct { JnReasons reason; const char *text; } texts[] = {
    { JN_REASON_SAME_NAMES, N_("same names") },
    { JN_REASON_ACCENTS_OR_CASE, N_("names differ by accents or case") },
    { JN_REASON_HYPHENS_OR_SPACES, N_("names differ by hyphens, apostrophes or spaces") },
    { JN_REASON_FIRST_GIVEN_NAME, N_("first given name only") },
    { JN_REASON_PARTICLE, N_("family name with or without its particle") },
    { JN_REASON_DOUBLE_FAMILY_NAME, N_("one part of a double family name") },
    { JN_REASON_CLOSE_SPELLING, N_("close spelling") },
    { JN_REASON_GIVEN_NAME_CUT, N_("given name cut or abbreviated") },
    { JN_REASON_ONE_LETTER, N_("one letter differs") },
    { JN_REASON_OTHER_FAMILY_NAME, N_("a parent of a child in common, another family name") },
    { JN_REASON_SAME_BIRTH_DATE, N_("same birth date") },
    { JN_REASON_OTHER_BIRTH_DATE, N_("different birth date") },
    { JN_REASON_CHILD_IN_COMMON, N_("a child in common") },
    { JN_REASON_HOLDS_OTHER_ID, N_("already holds another identifier") },
    { JN_REASON_ALREADY_TAKEN, N_("already matched to another record") },
  };
  g_autoptr(GString) out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      if (!(reasons & texts[i].reason))
        continue;
      if (out->len > 0)
        g_string_append (out, ", ");
      g_string_append (out, g_dgettext (GETTEXT_PACKAGE, texts[i].text));
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

GHashTable *
jn_decisions_load (GFile   *file,
                   GError **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) decisions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *display_name = g_file_get_basename (file);
  g_autoptr(GBytes) contents = NULL;
  JsonObjectIter iter;
  const char *member;
  JsonNode *value;
  const char *data;
  gsize length;

  contents = jn_io_load_bounded (file, display_name, (gsize)64 * 1024 * 1024, NULL, error);
  if (contents == NULL)
    return NULL;

  /* Bounded depth (json-glib recurses), and a key given twice is refused: which of the
   * two decisions the admin meant cannot be known */
  data = g_bytes_get_data (contents, &length);
  root = jn_json_parse (data, length, (gsize)64 * 1024 * 1024, JN_JSON_REFUSE_DUPLICATE_KEYS,
                        display_name, error);
  if (root == NULL)
    return NULL;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    goto invalid;

  json_object_iter_init (&iter, json_node_get_object (root));
  while (json_object_iter_next (&iter, &member, &value))
    {
      if (JSON_NODE_HOLDS_NULL (value))
        g_hash_table_insert (decisions, g_strdup (member), NULL);
      else if (json_node_get_value_type (value) == G_TYPE_STRING)
        g_hash_table_insert (decisions, g_strdup (member), g_strdup (json_node_get_string (value)));
      else
        goto invalid;
    }

  return g_steal_pointer (&decisions);

invalid:
  g_set_error (error, JN_ERROR, JN_ERROR_INVALID_FILE,
               _("%s: a decisions file is one JSON object: {\"<PRONOTE id>\": \"<ENT id>\" or null}"),
               display_name);
  return NULL;
}

gboolean
jn_matcher_apply_decision (JnMatcher   *self,
                           JnPlan      *plan,
                           const char  *pronote_id,
                           const char  *ent_id,
                           GError     **error)
{
  g_autoptr(GString) problems = g_string_new (NULL);
  g_autoptr(GHashTable) decided_users = g_hash_table_new (g_str_hash, g_str_equal);
  JnPlanItem *item;

  g_return_val_if_fail (JN_IS_MATCHER (self), FALSE);
  g_return_val_if_fail (JN_IS_PLAN (plan), FALSE);
  g_return_val_if_fail (pronote_id != NULL, FALSE);

  /* The other records' manual choices, and the automatic matches a choice cannot take */
  for (guint c = 0; c < JN_N_CATEGORIES; c++)
    {
      GListModel *items = jn_plan_get_items (plan, c);
      guint n = g_list_model_get_n_items (items);

      for (guint i = 0; i < n; i++)
        {
          g_autoptr(JnPlanItem) other = g_list_model_get_item (items, i);
          JnEntUser *user = jn_plan_item_get_user (other);
          const char *other_id = jn_plan_item_get_pronote_id (other);

          if (jn_plan_item_get_state (other) != JN_PLAN_STATE_MATCHED || user == NULL ||
              g_strcmp0 (other_id, pronote_id) == 0)
            continue;
          if (jn_plan_item_get_manual (other))
            {
              g_hash_table_insert (decided_users, (gpointer)jn_ent_user_get_id (user), (gpointer)other_id);
            }
          else if (ent_id != NULL && g_strcmp0 (jn_ent_user_get_id (user), ent_id) == 0)
            {
              g_autofree char *shown_ent = jn_text_escape_for_terminal (ent_id);

              g_string_append_printf (problems, _("\n  %s: the ENT user “%s” is already matched to %s"),
                                      pronote_id, shown_ent, other_id);
            }
        }
    }

  if (problems->len == 0)
    check_decision (self, plan, pronote_id, ent_id, decided_users, problems);
  if (problems->len > 0)
    {
      /* One decision: its one reason, without the list's indentation */
      g_set_error_literal (error, JN_ERROR, JN_ERROR_INVALID_DECISION, problems->str + 3);
      return FALSE;
    }

  item = jn_plan_lookup (plan, pronote_id);
  jn_plan_item_remember_automatic (item);
  if (ent_id == NULL)
    jn_plan_item_set_skipped (item);
  else
    jn_plan_item_set_matched (item, jn_directory_lookup (self->directory, ent_id), JN_RULE_MANUAL,
                              self->uai);
  refresh_clears (self, plan);

  return TRUE;
}

gboolean
jn_matcher_undo_decision (JnMatcher   *self,
                          JnPlan      *plan,
                          const char  *pronote_id,
                          GError     **error)
{
  JnPlanItem *item;
  JnEntUser *automatic;

  g_return_val_if_fail (JN_IS_MATCHER (self), FALSE);
  g_return_val_if_fail (JN_IS_PLAN (plan), FALSE);

  item = jn_plan_lookup (plan, pronote_id);
  if (item == NULL || !jn_plan_item_get_manual (item))
    return TRUE;

  /* The account the matcher had found may have been chosen for another record since */
  automatic = jn_plan_item_get_automatic_user (item);
  if (automatic != NULL)
    {
      for (guint c = 0; c < JN_N_CATEGORIES; c++)
        {
          GListModel *items = jn_plan_get_items (plan, c);

          for (guint i = 0; i < g_list_model_get_n_items (items); i++)
            {
              g_autoptr(JnPlanItem) other = g_list_model_get_item (items, i);

              if (other != item && jn_plan_item_get_state (other) == JN_PLAN_STATE_MATCHED &&
                  jn_plan_item_get_user (other) == automatic)
                {
                  g_autofree char *name = jn_ent_user_dup_display_name (automatic);
                  g_autofree char *shown = jn_text_escape_for_terminal (name);

                  g_set_error (error, JN_ERROR, JN_ERROR_INVALID_DECISION,
                               _("the account %s that was found for this record is now chosen for %s: "
                                 "undo that choice first"),
                               shown, jn_plan_item_get_pronote_id (other));
                  return FALSE;
                }
            }
        }
    }

  jn_plan_item_restore_automatic (item);
  refresh_clears (self, plan);

  return TRUE;
}
