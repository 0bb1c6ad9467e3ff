/* bench-ui.c: the window's responsiveness on the 10,000-record bench establishment
 *
 * A benchmark, not a test: it prints figures (and says which targets they miss) but fails
 * only on an error, or with --strict on a missed target. Under Xvfb, in a real JnWindow
 * working offline (the directory from a snapshot: the embedded file ENT on a copy of the
 * establishment's directory.json, so the pushes never touch the original), it measures:
 *
 *  - open: the time from the file given to the window (jn_window_open) to its summary, and
 *    to step 1 shown with its rows laid out and painted (the admin's "Continue" and "Match"
 *    clicked as soon as their page shows), target 1 s;
 *  - stalls: the longest gap between two runs of a high-priority 5 ms timeout (the probe)
 *    during the load, the match, the filter buttons, the search and a step's push (step 1
 *    Teachers, then step 2 Students, to the file ENT), target 50 ms;
 *  - latency: from a filter button's click, or a search keystroke (the name of a student
 *    typed letter by letter in the step's search, then cleared), to the list updated on
 *    screen (the filter model has nothing pending, the column view lists the first
 *    SCREENFUL rows of the result, or all of them, and a frame has been laid out and painted
 *    after the change), target 50 ms; and to the whole list in the column view
 *    ("list-complete": the page adds the rows past the first screenful in batches).
 *
 * Each figure is the median and the maximum over the repetitions (a new window each time),
 * printed one per line: "<name> median=<ms> max=<ms> n=<samples> target=<ms> <ok|MISSED>".
 *
 * Usage: bench-ui [--repeat N] [--strict] EXPORT.xml DIRECTORY.json
 * (meson test -C _build --benchmark ui, or the executable under xvfb-run with the
 * environment of tests/gui/meson.build's gui_env)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib/gstdio.h>

#include "jn-mode-page.h"
#include "jn-step-page.h"
#include "jn-window.h"

#define WAIT_TIMEOUT_SECONDS 300
#define PROBE_INTERVAL_MS 5
#define SEARCH_LETTERS 6
/* More rows than a 1280×800 window shows */
#define SCREENFUL 40

/* ---- figures ---- */

typedef struct
{
  const char *name;
  double      target_ms;
  GArray     *samples;  /* double, ms */
} Figure;

typedef enum
{
  FIG_OPEN_TO_SUMMARY,
  FIG_OPEN_TO_STEP1,
  FIG_STALL_LOAD,
  FIG_STALL_MATCH,
  FIG_STALL_FILTER,
  FIG_STALL_SEARCH,
  FIG_STALL_PUSH_TEACHERS,
  FIG_STALL_PUSH_STUDENTS,
  FIG_FILTER_RECOGNISED,
  FIG_FILTER_UNRECOGNISED,
  FIG_FILTER_TO_CHECK,
  FIG_FILTER_ALL,
  FIG_SEARCH_KEYSTROKE,
  FIG_SEARCH_CLEAR,
  FIG_LIST_COMPLETE,
  FIG_PUSH_STUDENTS,
  N_FIGURES
} FigureId;

static Figure figures[N_FIGURES] = {
  [FIG_OPEN_TO_SUMMARY] = { "open-to-summary", 0 },
  [FIG_OPEN_TO_STEP1] = { "open-to-step1", 1000 },
  [FIG_STALL_LOAD] = { "stall-load", 50 },
  [FIG_STALL_MATCH] = { "stall-match", 50 },
  [FIG_STALL_FILTER] = { "stall-filter", 50 },
  [FIG_STALL_SEARCH] = { "stall-search", 50 },
  [FIG_STALL_PUSH_TEACHERS] = { "stall-push-teachers", 50 },
  [FIG_STALL_PUSH_STUDENTS] = { "stall-push-students", 50 },
  [FIG_FILTER_RECOGNISED] = { "filter-recognised", 50 },
  [FIG_FILTER_UNRECOGNISED] = { "filter-not-recognised", 50 },
  [FIG_FILTER_TO_CHECK] = { "filter-to-check", 50 },
  [FIG_FILTER_ALL] = { "filter-all", 50 },
  [FIG_SEARCH_KEYSTROKE] = { "search-keystroke", 50 },
  [FIG_SEARCH_CLEAR] = { "search-clear", 50 },
  [FIG_LIST_COMPLETE] = { "list-complete", 0 },
  [FIG_PUSH_STUDENTS] = { "push-students", 0 },
};

static void
figure_add (FigureId id,
            double   ms)
{
  g_array_append_val (figures[id].samples, ms);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Prints every figure; returns the number of targets missed */
static guint
print_figures (void)
{
  guint missed = 0;

  for (guint i = 0; i < N_FIGURES; i++)
    {
      GArray *samples = figures[i].samples;
      double median, max;
      gboolean ok;

      if (samples->len == 0)
        continue;

      g_array_sort (samples, compare_doubles);
      median = samples->len % 2 == 1
               ? g_array_index (samples, double, samples->len / 2)
               : (g_array_index (samples, double, samples->len / 2 - 1) +
                  g_array_index (samples, double, samples->len / 2)) / 2;
      max = g_array_index (samples, double, samples->len - 1);
      ok = figures[i].target_ms <= 0 || max <= figures[i].target_ms;
      if (!ok)
        missed++;

      if (figures[i].target_ms > 0)
        printf ("%-24s median=%.1f max=%.1f n=%u target=%.0f %s\n", figures[i].name, median,
                max, samples->len, figures[i].target_ms, ok ? "ok" : "MISSED");
      else
        printf ("%-24s median=%.1f max=%.1f n=%u\n", figures[i].name, median, max,
                samples->len);
    }
  fflush (stdout);

  return missed;
}

static double
now_ms (void)
{
  return g_get_monotonic_time () / 1000.0;
}

/* ---- the probe: the longest gap between two runs of a high-priority timeout ---- */

typedef struct
{
  double last;
  double max_gap;
} Probe;

static Probe probe;

static gboolean
probe_cb (gpointer user_data)
{
  double now = now_ms ();

  if (now - probe.last > probe.max_gap)
    probe.max_gap = now - probe.last;
  probe.last = now;

  return G_SOURCE_CONTINUE;
}

static void
probe_reset (void)
{
  probe.last = now_ms ();
  probe.max_gap = 0;
}

/* The longest stall since the reset (the time since the probe's last run included) */
static double
probe_max (void)
{
  probe_cb (NULL);
  return probe.max_gap;
}

/* ---- waiting ---- */

static gboolean
timeout_cb (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gpointer data);

static void
wait_until (Condition  condition,
            gpointer   data)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (WAIT_TIMEOUT_SECONDS, timeout_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (timed_out)
    g_error ("timed out");
  g_source_remove (timeout_id);
}

static void
wait_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, timeout_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

static gboolean
is_idle (gpointer data)
{
  return !jn_window_get_busy (data);
}

/* ---- the window ---- */

static gpointer
template_child (gpointer    widget,
                GType       type,
                const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return child;
}

static JnStepPage *
current_step_page (JnWindow *window)
{
  GtkStack *steps = template_child (window, JN_TYPE_WINDOW, "steps_stack");
  GtkWidget *page = gtk_stack_get_visible_child (steps);

  g_assert_true (JN_IS_STEP_PAGE (page));
  return JN_STEP_PAGE (page);
}

static GtkWidget *
find_list_view (GtkWidget *widget)
{
  if (GTK_IS_LIST_VIEW (widget))
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_list_view (child);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static guint
filter_pending (JnStepPage *page)
{
  GListModel *rows = jn_step_page_get_visible_rows (page);

  return GTK_IS_FILTER_LIST_MODEL (rows) ? gtk_filter_list_model_get_pending (GTK_FILTER_LIST_MODEL (rows)) : 0;
}

/* The list is up to date when a frame has been painted after the change, with nothing left
 * to filter at that time (the frame's layout had placed the rows of the filtered list) */
typedef struct
{
  JnStepPage *page;
  double      shown_at;
  double      complete_at;
} Shown;

static guint
listed_rows (JnStepPage *page)
{
  GtkColumnView *view = template_child (page, JN_TYPE_STEP_PAGE, "column_view");
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));

  return model != NULL ? g_list_model_get_n_items (model) : 0;
}

static void
after_paint_cb (GdkFrameClock *clock,
                Shown         *shown)
{
  GtkWidget *list_view;
  guint n = g_list_model_get_n_items (jn_step_page_get_visible_rows (shown->page));

  if (shown->complete_at > 0 || filter_pending (shown->page) > 0)
    return;
  if (listed_rows (shown->page) >= n)
    shown->complete_at = now_ms ();
  if (shown->shown_at > 0 || listed_rows (shown->page) < MIN (n, SCREENFUL))
    return;
  list_view = find_list_view (template_child (shown->page, JN_TYPE_STEP_PAGE, "column_view"));
  if (list_view != NULL && gtk_widget_get_mapped (list_view) &&
      g_list_model_get_n_items (jn_step_page_get_visible_rows (shown->page)) > 0 &&
      gtk_widget_get_first_child (list_view) == NULL)
    return;  /* rows to show, none placed yet */
  shown->shown_at = now_ms ();
}

static gboolean
is_shown (gpointer data)
{
  return ((Shown *) data)->shown_at > 0 && ((Shown *) data)->complete_at > 0;
}

static void
request_frame_cb (GdkFrameClock *clock,
                  Shown         *shown)
{
  /* Until the whole list is in: the page adds its rows in idle batches */
  if (shown->complete_at == 0)
    gtk_widget_queue_draw (GTK_WIDGET (shown->page));
}

/* Runs @change, then waits for the list to show its result: returns the time it took */
typedef void (*Change) (JnStepPage *page,
                        gpointer    data);

static double
time_change (JnStepPage *page,
             Change      change,
             gpointer    data)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (GTK_WIDGET (page));
  Shown shown = { page, 0, 0 };
  gulong handler, again;
  double start;

  /* The frame under way, if any, is not the one that shows the change */
  wait_ms (20);
  start = now_ms ();
  change (page, data);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &shown);
  again = g_signal_connect_after (clock, "after-paint", G_CALLBACK (request_frame_cb), &shown);
  gtk_widget_queue_draw (GTK_WIDGET (page));
  wait_until (is_shown, &shown);
  g_signal_handler_disconnect (clock, handler);
  g_signal_handler_disconnect (clock, again);

  figure_add (FIG_LIST_COMPLETE, shown.complete_at - start);
  return shown.shown_at - start;
}

static void
click_filter (JnStepPage *page,
              gpointer    button_name)
{
  GtkToggleButton *button = template_child (page, JN_TYPE_STEP_PAGE, button_name);

  /* As a click does: the toggle, then "clicked" */
  gtk_toggle_button_set_active (button, TRUE);
}

static void
type_letter (JnStepPage *page,
             gpointer    letter)
{
  GtkEditable *entry = template_child (page, JN_TYPE_STEP_PAGE, "search_entry");
  int position = -1;

  gtk_editable_insert_text (entry, letter, -1, &position);
}

static void
clear_search (JnStepPage *page,
              gpointer    data)
{
  gtk_editable_set_text (template_child (page, JN_TYPE_STEP_PAGE, "search_entry"), "");
}

/* Step 1 shown: the steps page, its list filled, laid out and painted */
static gboolean
step_shown (gpointer data)
{
  JnWindow *window = data;
  JnStepPage *page;
  GtkWidget *list_view;

  if (g_strcmp0 (jn_window_get_page (window), "steps") != 0 || jn_window_get_busy (window))
    return FALSE;
  page = current_step_page (window);
  list_view = find_list_view (template_child (page, JN_TYPE_STEP_PAGE, "column_view"));
  return list_view != NULL && gtk_widget_get_mapped (list_view) &&
         gtk_widget_get_first_child (list_view) != NULL;
}

static void
wait_for_paint (GtkWidget *widget)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  JnStepPage *page = JN_STEP_PAGE (widget);
  Shown shown = { page, 0, 0 };
  gulong handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &shown);
  gulong again = g_signal_connect_after (clock, "after-paint", G_CALLBACK (request_frame_cb),
                                         &shown);

  gtk_widget_queue_draw (widget);
  wait_until (is_shown, &shown);
  g_signal_handler_disconnect (clock, handler);
  g_signal_handler_disconnect (clock, again);
}

static AdwMessageDialog *
find_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (ADW_IS_MESSAGE_DIALOG (l->data) && gtk_widget_get_visible (l->data))
      return l->data;

  return NULL;
}

static gboolean
has_dialog (gpointer data)
{
  return find_dialog () != NULL;
}

static GtkWidget *
find_named (GtkWidget  *widget,
            const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (widget), name) == 0)
    return widget;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_named (child, name);

      if (found != NULL)
        return found;
    }

  return NULL;
}

static void
activate (JnWindow   *window,
          const char *action)
{
  if (!gtk_widget_activate_action (GTK_WIDGET (window), action, NULL))
    g_error ("action %s not enabled", action);
}

/* Validates the current step as the admin does (confirming its replacements and removals);
 * returns the time from "Validate" to the next step */
static double
validate_step (JnWindow *window)
{
  AdwMessageDialog *dialog;
  GtkWidget *check;
  double start;

  activate (window, "win.validate-step");
  wait_until (has_dialog, NULL);
  dialog = find_dialog ();
  wait_until (is_mapped, dialog);
  check = find_named (GTK_WIDGET (dialog), "confirm-check");
  if (check != NULL)
    gtk_check_button_set_active (GTK_CHECK_BUTTON (check), TRUE);

  start = now_ms ();
  adw_message_dialog_response (dialog, "validate");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_until (is_idle, window);

  return now_ms () - start;
}

/* A name to type: the last name of a record in the middle of the list */
static char *
pick_name (JnStepPage *page)
{
  GListModel *rows = jn_step_page_get_visible_rows (page);
  guint n = g_list_model_get_n_items (rows);

  for (guint i = n / 2; i < n; i++)
    {
      g_autoptr(JnSessionRow) row = g_list_model_get_item (rows, i);
      const char *name = jn_session_row_get_last_name (row);

      if (name != NULL && g_utf8_strlen (name, -1) >= 3)
        return g_utf8_strdown (name, -1);
    }

  return g_strdup ("mar");
}

/* ---- one run ---- */

static char *
copy_directory (const char *tmp_dir,
                const char *directory_path,
                guint       run)
{
  g_autofree char *name = g_strdup_printf ("directory-%u.json", run);
  char *copy = g_build_filename (tmp_dir, name, NULL);
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (directory_path, &contents, &length, &error);
  g_assert_no_error (error);
  g_file_set_contents (copy, contents, length, &error);
  g_assert_no_error (error);

  return copy;
}

static void
run_once (const char *tmp_dir,
          const char *export_path,
          const char *directory_path,
          guint       run)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autofree char *snapshot = copy_directory (tmp_dir, directory_path, run);
  g_autofree char *store_dir = g_strdup_printf ("%s/store-%u", tmp_dir, run);
  g_autoptr(GFile) file = g_file_new_for_path (export_path);
  g_autoptr(JnStore) store = NULL;
  g_autoptr(GError) error = NULL;
  static const char *filters[] = {
    "recognised_button", "unrecognised_button", "to_check_button", "all_button",
  };
  static const FigureId filter_figures[] = {
    FIG_FILTER_RECOGNISED, FIG_FILTER_UNRECOGNISED, FIG_FILTER_TO_CHECK, FIG_FILTER_ALL,
  };
  g_autofree char *name = NULL;
  JnWindow *window;
  JnStepPage *page;
  double start;

  /* Offline: the directory from the snapshot, for the file's establishment */
  g_settings_set_string (settings, "connection-kind", "offline");
  g_settings_set_string (settings, "offline-snapshot", snapshot);
  g_settings_set_string (settings, "uai", "0312609T");

  store = jn_store_open (store_dir, &error);
  g_assert_no_error (error);
  window = jn_window_new_with_store (NULL, store);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  wait_until (is_mapped, window);
  wait_ms (200);

  /* Open → summary → (Continue) mode → (Match) step 1 shown */
  probe_reset ();
  start = now_ms ();
  jn_window_open (window, file);
  wait_until (is_idle, window);
  if (g_strcmp0 (jn_window_get_page (window), "summary") != 0)
    g_error ("the file opened on page %s, not its summary", jn_window_get_page (window));
  figure_add (FIG_OPEN_TO_SUMMARY, now_ms () - start);
  figure_add (FIG_STALL_LOAD, probe_max ());

  probe_reset ();
  activate (window, "win.continue");
  if (g_strcmp0 (jn_window_get_page (window), "mode") != 0)
    g_error ("Continue led to page %s, not the mode", jn_window_get_page (window));
  jn_mode_page_set_mode (template_child (window, JN_TYPE_WINDOW, "mode_page"),
                         JN_IMPORT_MODE_COMPLETE);
  activate (window, "win.match");
  wait_until (step_shown, window);
  page = current_step_page (window);
  wait_for_paint (GTK_WIDGET (page));
  figure_add (FIG_OPEN_TO_STEP1, now_ms () - start);
  figure_add (FIG_STALL_MATCH, probe_max ());

  /* Step 1 (Teachers) validated: step 2 (Students), the largest list */
  probe_reset ();
  validate_step (window);
  figure_add (FIG_STALL_PUSH_TEACHERS, probe_max ());
  page = current_step_page (window);
  if (jn_step_page_get_category (page) != JN_CATEGORY_STUDENT)
    g_error ("step 2 is not the students'");
  wait_for_paint (GTK_WIDGET (page));

  /* Each filter button, then back to all */
  probe_reset ();
  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    figure_add (filter_figures[i], time_change (page, click_filter, (gpointer) filters[i]));
  figure_add (FIG_STALL_FILTER, probe_max ());

  /* A name typed letter by letter, then the search cleared */
  name = pick_name (page);
  probe_reset ();
  for (const char *p = name; *p != '\0' && p - name < SEARCH_LETTERS; p = g_utf8_next_char (p))
    {
      char letter[8] = { 0 };

      g_unichar_to_utf8 (g_utf8_get_char (p), letter);
      figure_add (FIG_SEARCH_KEYSTROKE, time_change (page, type_letter, letter));
    }
  figure_add (FIG_SEARCH_CLEAR, time_change (page, clear_search, NULL));
  figure_add (FIG_STALL_SEARCH, probe_max ());

  /* Step 2 pushed to the file ENT */
  probe_reset ();
  figure_add (FIG_PUSH_STUDENTS, validate_step (window));
  figure_add (FIG_STALL_PUSH_STUDENTS, probe_max ());

  g_object_ref (window);
  gtk_window_destroy (GTK_WINDOW (window));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  g_object_unref (window);
  g_settings_reset (settings, "connection-kind");
  g_settings_reset (settings, "offline-snapshot");
  g_settings_reset (settings, "uai");
  g_unlink (snapshot);
}

static gboolean
remove_tree (const char *path)
{
  g_autoptr(GFile) dir = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                                                   NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autoptr(GFileInfo) owned = info;
      g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));
      g_autofree char *child_path = g_file_get_path (child);

      if (!g_file_delete (child, NULL, NULL))
        remove_tree (child_path);
    }

  return g_file_delete (dir, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int repeat = 3;
  gboolean strict = FALSE;
  GOptionEntry entries[] = {
    { "repeat", 'r', 0, G_OPTION_ARG_INT, &repeat, "Repetitions (3)", "N" },
    { "strict", 0, 0, G_OPTION_ARG_NONE, &strict, "Fail when a target is missed", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("EXPORT.xml DIRECTORY.json");
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp_dir = NULL;
  guint missed;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc != 3 || repeat < 1)
    {
      fprintf (stderr, "%s\n", error != NULL ? error->message
               : "usage: bench-ui [--repeat N] [--strict] EXPORT.xml DIRECTORY.json");
      return 2;
    }

  gtk_disable_setlocale ();
  gtk_init ();
  adw_init ();
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  tmp_dir = g_dir_make_tmp ("jn-bench-ui-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < N_FIGURES; i++)
    figures[i].samples = g_array_new (FALSE, FALSE, sizeof (double));

  g_timeout_add_full (G_PRIORITY_HIGH, PROBE_INTERVAL_MS, probe_cb, NULL, NULL);
  for (int run = 0; run < repeat; run++)
    run_once (tmp_dir, argv[1], argv[2], run);

  printf ("# bench-ui: %s, %d run(s), times in ms\n", argv[1], repeat);
  missed = print_figures ();
  printf ("# %u target(s) missed\n", missed);

  remove_tree (tmp_dir);
  for (guint i = 0; i < N_FIGURES; i++)
    g_array_unref (figures[i].samples);

  return strict && missed > 0 ? 1 : 0;
}
