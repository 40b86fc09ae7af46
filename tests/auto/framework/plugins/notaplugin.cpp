// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// A shared library without Q_PLUGIN_METADATA: found in the plugin directory, but no plugin.
extern "C" __attribute__((visibility("default"))) int mortarTestNotAPlugin()
{
    return 42;
}
