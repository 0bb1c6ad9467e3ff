/* jn-mode-page.h: Complete or Partial, as the seeds explain them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

#include "jn-plan.h"

G_BEGIN_DECLS

#define JN_TYPE_MODE_PAGE (jn_mode_page_get_type ())
G_DECLARE_FINAL_TYPE (JnModePage, jn_mode_page, JN, MODE_PAGE, AdwBin)

GtkWidget    *jn_mode_page_new      (void);
/* "mode" property: the choice (Complete by default, the start of the year) */
JnImportMode  jn_mode_page_get_mode (JnModePage   *self);
void          jn_mode_page_set_mode (JnModePage   *self,
                                     JnImportMode  mode);

G_END_DECLS
