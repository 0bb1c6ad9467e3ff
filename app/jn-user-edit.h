/* jn-user-edit.h: the single-user editor's core: find an ENT account, check and save one
 * PRONOTE identifier
 *
 * The desktop's "Edit a User…" and `jonction-cli set-id` share these checks and the save.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "jn-directory.h"
#include "jn-ent.h"
#include "jn-push.h"
#include "jn-store.h"

G_BEGIN_DECLS

/* ---- finding an account ---- */

/* The folded names of a directory's users, every profile, made once (in a worker thread:
 * a few milliseconds for 12,000 accounts); searched on the main loop afterwards. The
 * directory is kept (its users are the results). */
typedef struct _JnUserIndex JnUserIndex;

JnUserIndex *jn_user_index_new          (JnDirectory  *directory);
JnUserIndex *jn_user_index_ref          (JnUserIndex  *self);
void         jn_user_index_unref        (JnUserIndex  *self);
JnDirectory *jn_user_index_get_directory (JnUserIndex *self);
/* The account of ENT id @id (owned by the index), or NULL */
JnEntUser   *jn_user_index_lookup       (JnUserIndex  *self,
                                         const char   *id);
/* Replaces the account of the same id by @user (as the ENT holds it after a save): the
 * searches and holder checks see it. FALSE when the index has no such account. */
gboolean     jn_user_index_update_user  (JnUserIndex  *self,
                                         JnEntUser    *user);

/* The accounts whose names fit @query, best first: the family name begins with the first
 * word, then every word begins a name, then the names contain every word (accents, case,
 * hyphens and apostrophes ignored); within a rank, by family then given name. A query that
 * looks like a PRONOTE identifier (one word of capital letters and digits, a digit among
 * them) also finds the accounts holding it for any establishment, first. At most
 * @max_results JnEntUser (referenced); @n_found: how many fit in all. An empty query finds
 * nobody. */
GPtrArray   *jn_user_index_search       (JnUserIndex  *self,
                                         const char   *query,
                                         guint         max_results,
                                         guint        *n_found);

/* "Who holds this identifier?": the accounts holding @pronote_id (compared without case)
 * for @uai, or for any establishment when @uai is NULL. JnEntUser, referenced. */
GPtrArray   *jn_user_index_find_holders (JnUserIndex  *self,
                                         const char   *pronote_id,
                                         const char   *uai);

/* The UAIs an account is attached to or holds an identifier for, structures first, each
 * once (free with g_strfreev) */
char       **jn_user_edit_list_uais     (JnEntUser    *user);

/* "DURAND Léa": how the editor and its messages name an account */
char        *jn_user_edit_dup_name      (JnEntUser    *user);

/* ---- checking a new value ---- */

/**
 * JnUserEditVerdict:
 * @JN_USER_EDIT_OK: the value can be saved as it is
 * @JN_USER_EDIT_UNCHANGED: the account already holds this value: nothing to write
 * @JN_USER_EDIT_CONFIRM: the value can be saved once the admin confirms (an unusual
 *   value, or one that replaces a different identifier)
 * @JN_USER_EDIT_REFUSED: the value cannot be saved (malformed, or held by someone else)
 */
typedef enum
{
  JN_USER_EDIT_OK,
  JN_USER_EDIT_UNCHANGED,
  JN_USER_EDIT_CONFIRM,
  JN_USER_EDIT_REFUSED,
} JnUserEditVerdict;

typedef struct
{
  JnUserEditVerdict verdict;
  char             *value;      /* the value to write, trimmed; NULL to clear */
  char             *current;    /* the account's identifier for the UAI now, or NULL */
  gboolean          unusual;    /* jn_pronote_id_check() says JN_PRONOTE_ID_UNUSUAL */
  gboolean          replaces;   /* a different identifier is held now (or cleared) */
  JnEntUser        *holder;     /* REFUSED: the other account holding the value, or NULL */
  char             *message;    /* for the admin, translated: why refused, what to confirm;
                                   NULL for OK */
} JnUserEditCheck;

void             jn_user_edit_check_free (JnUserEditCheck *check);

/* Checks writing @value (NULL, empty or blank: clearing) as @user's identifier for @uai:
 * the format (jn_pronote_id_check(): invalid refused, unusual to confirm), a different
 * value held now (to confirm), another account of @directory (or @index when given, faster)
 * holding the value for @uai (refused, naming that account). @directory and @index may
 * both be NULL: no holder check. */
JnUserEditCheck *jn_user_edit_check     (JnEntUser    *user,
                                         const char   *uai,
                                         const char   *value,
                                         JnDirectory  *directory,
                                         JnUserIndex  *index);

/* ---- saving ---- */

/* In a worker thread: takes the store's lock for the ENT and @uai, reads @user again, checks
 * the value once more against the establishment's directory as the ENT holds it now (a
 * holder appeared meanwhile: refused with its name, JN_ERROR_CONFLICT), then writes it with
 * jn_push_set_one() (journalled, resumable, in history as a "single" import). The report's
 * failures say why a write was refused by the ENT. @confirmed: the admin confirmed an
 * unusual value or a replacement. */
void          jn_user_edit_save_async   (JnStore              *store,
                                         JnEnt                *ent,
                                         JnEntUser            *user,
                                         const char           *uai,
                                         const char           *value,
                                         gboolean              confirmed,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
/* The push's report; @user_out: the account as the ENT holds it afterwards (also with
 * JN_ERROR_ENT_STALE: the identifier changed since the admin saw it) */
JnPushReport *jn_user_edit_save_finish  (GAsyncResult         *result,
                                         JnEntUser           **user_out,
                                         GError              **error);
/* The single edits a crash left unfinished that this save finished first, whether the save
 * itself succeeded or not (JnOperation, as they ended; NULL when there was none), and
 * @users_out the accounts they changed, as the ENT holds them afterwards (JnEntUser) */
GPtrArray    *jn_user_edit_save_get_finished (GAsyncResult   *result,
                                              GPtrArray     **users_out);

/* Reads @uai's directory and builds its index, in a worker thread. With @store, the single
 * edits a crash left unfinished are finished first (jn_push_finish_edits()), when no push
 * holds the lock; @finished_out gets their operations as they ended (NULL if none ran),
 * also when the directory cannot be read after them. */
void          jn_user_index_load_async  (JnStore              *store,
                                         JnEnt                *ent,
                                         const char           *uai,
                                         GCancellable         *cancellable,
                                         GAsyncReadyCallback   callback,
                                         gpointer              user_data);
JnUserIndex  *jn_user_index_load_finish (GAsyncResult         *result,
                                         GPtrArray           **finished_out,
                                         GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JnUserIndex, jn_user_index_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (JnUserEditCheck, jn_user_edit_check_free)

G_END_DECLS
