// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/app.h>
#include <mortar/plugin.h>

#include <QObject>

// What the test plugins share: each records its load() and unload() in the App's trace (kinds
// test.loaded / test.unloaded, message = the plugin's name), which is how tst_pluginmanager
// sees what ran and in which order. The strings are literals of the plugin's library on
// purpose: the trace must stay readable after the plugin is unloaded.
inline void recordPluginStep(Mortar::App &app, const QString &kind, const QString &name)
{
    Mortar::TraceEvent event;
    event.kind = kind;
    event.message = name;
    app.trace().record(std::move(event));
}
