// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

// The plugins' part of the leak census (spec §16): the QObjects each plugin created while it
// loaded, through Qt's hooks for tools (qtHookData's AddQObject / RemoveQObject, which
// debuggers and GammaRay use) where this Qt has them; without them, nothing is attributed.

#include <QList>
#include <QString>

class QObject;

namespace Mortar::Internal {

struct PluginLeak
{
    QString kind;   // leak.thread, leak.timer or leak.object
    QString what;   // class name and objectName
    QString plugin; // the plugin that created it
    QString className;
    QString objectName;
};

class ObjectCensus
{
public:
    /*! Whether this Qt lets objects be attributed (its qtHookData has the object hooks). */
    static bool isAvailable();
    /*! Objects constructed from now on (in any thread) until endLoad() are \a plugin's. */
    static void beginLoad(const QString &plugin);
    static void endLoad();
    /*!
        After \a plugin's unload() and before its root object \a root is destroyed: what it
        created while loading that is still alive and should not be — running QThreads (also
        under \a root, whose destruction would abort with "QThread: Destroyed while thread is
        still running"), active timers and objects outside \a root's tree. Forgets the plugin.
    */
    static QList<PluginLeak> take(const QString &plugin, const QObject *root);
};

} // namespace Mortar::Internal
