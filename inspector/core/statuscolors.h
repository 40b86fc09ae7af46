// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <QColor>
#include <QString>

namespace Mortar::Inspector {

/*! One colour per handler status, shared by every view, so a failure looks the same everywhere. */
inline QColor statusColor(const QString &status)
{
    if (status == QLatin1String("ok"))
        return QColor(0x4c, 0xaf, 0x50); // green
    if (status == QLatin1String("failed"))
        return QColor(0xe5, 0x39, 0x35); // red
    if (status == QLatin1String("timedOut"))
        return QColor(0xfb, 0x8c, 0x00); // orange
    if (status == QLatin1String("skipped") || status == QLatin1String("not run"))
        return QColor(0x9e, 0x9e, 0x9e); // grey
    if (status == QLatin1String("running") || status == QLatin1String("waiting"))
        return QColor(0x42, 0x85, 0xf4); // blue: still going
    return QColor(0x8e, 0x24, 0xaa);     // purple: did not finish
}

/*! A plugin's state (PluginInfo::State's key) in the same colours: loaded as ok, failed as
    failed, disabled or unloaded as skipped — unless its unload() failed (\a hasError). */
inline QColor pluginStateColor(const QString &state, bool hasError)
{
    if (state == QLatin1String("Loaded"))
        return statusColor(QStringLiteral("ok"));
    if (state == QLatin1String("Failed") || hasError)
        return statusColor(QStringLiteral("failed"));
    if (state == QLatin1String("Discovered"))
        return statusColor(QStringLiteral("waiting"));
    return statusColor(QStringLiteral("skipped"));
}

} // namespace Mortar::Inspector
