// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// What a plugin file says about itself before it is loaded, and what its loader's errors mean.

#include <mortar/plugininfo.h>

#include <QJsonObject>
#include <QString>

namespace Mortar::Internal {

/*! "libcache.so" → "cache", "cache.so.1" → "cache": a plugin's name when its metadata has none,
    so that even a broken file can be named in an error. */
QString pluginNameFromFileName(const QString &path);

/*! Reads what QPluginLoader::metaData() found (without loading the library) into \a info.
    Returns why the file cannot be a Mortar plugin, or an empty string. */
QString readPluginMetaData(const QJsonObject &raw, PluginInfo &info);

/*! QLibrary's "Cannot load library <path>: <dlerror>" as a reason a user understands. */
QString pluginLoadErrorReason(const QString &errorString, const QString &fileName);

} // namespace Mortar::Internal
