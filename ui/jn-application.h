/* jn-application.h: the Jonction application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define JN_TYPE_APPLICATION (jn_application_get_type ())
G_DECLARE_FINAL_TYPE (JnApplication, jn_application, JN, APPLICATION, AdwApplication)

JnApplication *jn_application_new           (void);
/* The bundled demonstration export: installed, else the one of the source tree */
GFile         *jn_application_dup_demo_file (void);

G_END_DECLS
