// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// Which plugins load, and in what order: a pure function of what was found and of what asked
// for plugins (AppOptions::plugins, the config, the command line). No files, no loading — so
// every precedence rule of SPEC §7 is tested with a table (tst_pluginselection).

#include <mortar/mortar_export.h>
#include <mortar/pluginmanager.h>

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace Mortar::Internal {

/*! A discovered plugin file: its metadata and state, and why it cannot load (empty if it can),
    as far as its metadata tells. */
struct PluginCandidate
{
    PluginInfo info;
    QString problem = {};
};

/*! What PluginManager::load() is to do. */
struct PluginPlan
{
    struct Wanted
    {
        QString name;
        QString enabledBy; //!< the first reason it was wanted
        bool required = false;
        QString problem = {}; //!< why it fails before loading (its file, its dependency chain)
    };
    struct NotFound
    {
        QString name;
        QString error;
    };

    QList<NotFound> notFound;   //!< asked for by name and absent, or required and disabled
    QStringList configNotFound; //!< warnings: enabled by a config file, and absent
    QList<Wanted> wanted;       //!< in the order they became wanted
    QStringList loadOrder;      //!< the wanted without a problem, dependencies first
    QStringList unwanted;       //!< discovered, and nothing enabled them
};

/*! Plans which of \a candidates load for \a selection, by the precedence PluginSelection
    documents. Candidates already \c Loaded or \c Failed (an earlier load()) are not planned
    again. \a searched names the directories, for the "not found" messages. */
MORTAR_EXPORT PluginPlan planPlugins(const QList<PluginCandidate> &candidates,
                                     const PluginSelection &selection, const QString &searched);

} // namespace Mortar::Internal
