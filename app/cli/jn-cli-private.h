/* jn-cli-private.h: helpers shared by the jonction-cli commands
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "jn-cli.h"
#include "jn-ent.h"
#include "jn-export.h"
#include "jn-import-session.h"
#include "jn-plan.h"
#include "jn-store.h"

G_BEGIN_DECLS

/* The common options of cli.md; each command adds the ones it uses to its context */
typedef struct
{
  char     *key;
  char     *partner;
  char     *uai;
  char     *mode;
  char     *ent;
  char     *token_file;
  char     *extension_urn;
  char     *state;
  char     *directory;
  char     *decisions;
  char     *output;
  gboolean  json;
  gboolean  dry_run;
  gboolean  yes;
  gboolean  bulk;
} JnCliOptions;

void      jn_cli_options_clear        (JnCliOptions    *options);
void      jn_cli_print_error          (const char      *message);
int       jn_cli_usage_error          (GOptionContext  *context,
                                       const char      *message);
/* Writes @root as one UTF-8 line on stdout, whatever the locale */
void      jn_cli_print_json           (JsonNode        *root);
/* "label      value", padded by characters (labels are translated) */
void      jn_cli_print_row            (const char      *label,
                                       const char      *value);
/* @text padded with spaces to @width characters (not bytes) */
char     *jn_cli_pad                  (const char      *text,
                                       guint            width);
/* Parses @entries (plus --help) and returns the positional arguments left; on failure
 * prints the usage error and returns FALSE with *status set */
gboolean  jn_cli_parse                (const char      *parameter_string,
                                       GOptionEntry    *entries,
                                       int             *argc,
                                       char          ***argv,
                                       int              n_positional,
                                       int             *status);
/* Loads @path with the key options; on failure prints the error and sets *status */
JnExport *jn_cli_load_export          (const char      *path,
                                       JnCliOptions    *options,
                                       int             *status);

/* The ENT of --ent: a SCIM base URL (token from --token-file or JONCTION_TOKEN), or a
 * snapshot file (the embedded file ENT). On failure prints why and sets *status. */
JnEnt    *jn_cli_open_ent             (JnCliOptions    *options,
                                       int             *status);
/* The local store of --state; on failure prints why and sets *status */
JnStore  *jn_cli_open_store           (JnCliOptions    *options,
                                       int             *status);
/* Runs the main context until *@slot holds the async result */
GAsyncResult *jn_cli_wait               (GAsyncResult   **slot);
/* match and push go through the import session, like the wizard: the export at @path is
 * opened through it (failure and warnings printed), with the establishment (the export's
 * unless --uai), the mode and the decisions of the options. On failure prints why, sets
 * *status. */
JnImportSession *jn_cli_open_session  (const char      *path,
                                       JnCliOptions    *options,
                                       JnStore         *store,
                                       GHashTable     **decisions,
                                       int             *status);
/* The establishment's directory from the session's ENT */
gboolean  jn_cli_session_read_directory (JnImportSession *session,
                                         int             *status);
/* Matches through the session; a refused decision is printed with the decisions file's
 * name. Returns the session's plan (not a new reference). */
JnPlan   *jn_cli_session_match        (JnImportSession *session,
                                       GHashTable      *decisions,
                                       JnCliOptions    *options,
                                       int             *status);
/* Refuses a directory that cannot be the establishment's whole unless @force (exit 2),
 * warns about one that looked truncated (jn-cli-match.c) */
gboolean  jn_cli_check_directory      (JnDirectory     *directory,
                                       const char      *uai,
                                       JnExport        *export,
                                       gboolean         force,
                                       int             *status);
/* @text escaped for the terminal (jn_text_escape_for_terminal()): for every name, file
 * name and server's word printed in human output */
char     *jn_cli_safe                 (const char      *text);
/* Days a finished import keeps its personal data: the retention-days setting when the
 * schema is installed, else JN_STORE_DEFAULT_RETENTION_DAYS */
guint     jn_cli_get_retention_days   (void);
/* Takes the store's push lock and the lock of the ENT @ent (URL or snapshot file) for @uai,
 * shared by every store; if another process holds one, prints who and since when, sets
 * *status and returns FALSE */
gboolean  jn_cli_lock_store           (JnStore         *store,
                                       const char      *ent,
                                       const char      *uai,
                                       int             *status);
/* Prints @error and returns the exit status it maps to */
int       jn_cli_fail                 (const GError    *error);

int       jn_cli_command_inspect      (int              argc,
                                       char           **argv);
int       jn_cli_command_match        (int              argc,
                                       char           **argv);
int       jn_cli_command_directory    (int              argc,
                                       char           **argv);
int       jn_cli_command_push         (int              argc,
                                       char           **argv);
int       jn_cli_command_set_id       (int              argc,
                                       char           **argv);
int       jn_cli_command_history      (int              argc,
                                       char           **argv);
int       jn_cli_command_forget       (int              argc,
                                       char           **argv);

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (JnCliOptions, jn_cli_options_clear)

/* GOptionEntry lines of the common options, for the commands' tables */
#define JN_CLI_KEY_ENTRIES(opts) \
  { "key", 0, 0, G_OPTION_ARG_FILENAME, &(opts).key, \
    N_("Private key of the partner (PEM or DER PKCS#8)"), N_("FILE") }, \
  { "partner", 0, 0, G_OPTION_ARG_STRING, &(opts).partner, \
    N_("Partner name in the encrypted export"), N_("NAME") }
#define JN_CLI_ENT_ENTRIES(opts) \
  { "ent", 0, 0, G_OPTION_ARG_STRING, &(opts).ent, \
    N_("ENT SCIM base URL (https://…), or a directory snapshot file"), N_("URL") }, \
  { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &(opts).token_file, \
    N_("File holding the ENT bearer token (else $JONCTION_TOKEN)"), N_("FILE") }, \
  { "extension-urn", 0, 0, G_OPTION_ARG_STRING, &(opts).extension_urn, \
    N_("URN of the ENT's SCIM user extension"), N_("URN") }
#define JN_CLI_PLAN_ENTRIES(opts) \
  { "uai", 0, 0, G_OPTION_ARG_STRING, &(opts).uai, \
    N_("Establishment (default: the export's)"), N_("UAI") }, \
  { "mode", 0, 0, G_OPTION_ARG_STRING, &(opts).mode, \
    N_("Import mode: “complete” or “partial” (the default)"), N_("MODE") }, \
  { "decisions", 0, 0, G_OPTION_ARG_FILENAME, &(opts).decisions, \
    N_("Manual decisions (JSON)"), N_("FILE") }
#define JN_CLI_STATE_ENTRY(opts) \
  { "state", 0, 0, G_OPTION_ARG_FILENAME, &(opts).state, \
    N_("Folder of the local database (default under $XDG_DATA_HOME)"), N_("DIR") }
#define JN_CLI_JSON_ENTRY(opts) \
  { "json", 0, 0, G_OPTION_ARG_NONE, &(opts).json, N_("Print one JSON document"), NULL }

G_END_DECLS
