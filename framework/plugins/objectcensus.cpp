// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "objectcensus_p.h"

#include <QHash>
#include <QMutex>
#include <QObject>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <mutex>

// Qt's hooks for tools (qhooks_p.h): a table of callbacks, versioned by its size.
extern quintptr qtHookData[]; // NOLINT: Qt's name

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

namespace {

// qhooks_p.h's indexes into qtHookData.
constexpr int HookDataSize = 1;
constexpr int HookAddQObject = 3;
constexpr int HookRemoveQObject = 4;
using ObjectCallback = void (*)(QObject *);

// Another user of the hooks (the faults' alternate signal stacks, a debugger) is chained to.
ObjectCallback g_previousAdd = nullptr;
ObjectCallback g_previousRemove = nullptr;
std::atomic<bool> g_available{false};

// Whose objects are being created; empty outside a plugin's load().
std::atomic<bool> g_loading{false};
std::atomic<qsizetype> g_tracked{0};
QMutex g_mutex;
QString g_loadingPlugin;             // under g_mutex
QHash<QObject *, QString> g_objects; // under g_mutex: object → plugin

void onAdd(QObject *object)
{
    if (g_loading.load(std::memory_order_relaxed)) {
        QMutexLocker locker(&g_mutex);
        if (!g_loadingPlugin.isEmpty()) {
            g_objects.insert(object, g_loadingPlugin);
            g_tracked.store(g_objects.size(), std::memory_order_relaxed);
        }
    }
    if (g_previousAdd)
        g_previousAdd(object);
}

void onRemove(QObject *object)
{
    // The common case, every QObject of the process: one relaxed load.
    if (g_tracked.load(std::memory_order_relaxed) > 0) {
        QMutexLocker locker(&g_mutex);
        if (g_objects.remove(object))
            g_tracked.store(g_objects.size(), std::memory_order_relaxed);
    }
    if (g_previousRemove)
        g_previousRemove(object);
}

void install()
{
    static std::once_flag once;
    std::call_once(once, [] {
        if (qtHookData[HookDataSize] <= quintptr(HookRemoveQObject))
            return; // a Qt without these hooks: no attribution, as the spec allows
        g_previousAdd = reinterpret_cast<ObjectCallback>(qtHookData[HookAddQObject]);
        g_previousRemove = reinterpret_cast<ObjectCallback>(qtHookData[HookRemoveQObject]);
        qtHookData[HookAddQObject] = reinterpret_cast<quintptr>(&onAdd);
        qtHookData[HookRemoveQObject] = reinterpret_cast<quintptr>(&onRemove);
        g_available.store(true);
    });
}

bool isUnder(const QObject *object, const QObject *root)
{
    for (const QObject *o = object; o; o = o->parent()) {
        if (o == root)
            return true;
    }
    return false;
}

QString className(const QObject *object)
{
    return QString::fromLatin1(object->metaObject()->className());
}

QString describe(const QObject *object)
{
    const QString className = QString::fromLatin1(object->metaObject()->className());
    return object->objectName().isEmpty() ? className
                                          : u"%1 '%2'"_s.arg(className, object->objectName());
}

} // namespace

bool ObjectCensus::isAvailable()
{
    install();
    return g_available.load();
}

void ObjectCensus::beginLoad(const QString &plugin)
{
    if (!isAvailable())
        return;
    QMutexLocker locker(&g_mutex);
    g_loadingPlugin = plugin;
    g_loading.store(true);
}

void ObjectCensus::endLoad()
{
    QMutexLocker locker(&g_mutex);
    g_loading.store(false);
    g_loadingPlugin.clear();
}

QList<PluginLeak> ObjectCensus::take(const QString &plugin, const QObject *root)
{
    QList<PluginLeak> leaks;
    if (!g_available.load())
        return leaks;
    // Held while looking: an object being destroyed in another thread waits in onRemove.
    QMutexLocker locker(&g_mutex);
    QList<QObject *> mine;
    for (auto it = g_objects.cbegin(); it != g_objects.cend(); ++it) {
        if (it.value() == plugin)
            mine.append(it.key());
    }
    for (QObject *object : std::as_const(mine)) {
        const bool underRoot = isUnder(object, root);
        if (auto *thread = qobject_cast<QThread *>(object); thread && thread->isRunning()) {
            leaks.append({u"leak.thread"_s, describe(object), plugin, className(object),
                          object->objectName()});
        } else if (underRoot) {
            continue; // destroyed with the root object, its timers stopped with it
        } else if (auto *timer = qobject_cast<QTimer *>(object); timer && timer->isActive()) {
            leaks.append({u"leak.timer"_s, describe(object), plugin, className(object),
                          object->objectName()});
        } else if (object->inherits("QAbstractEventDispatcher")
                   || object->inherits("QThreadPool")) {
            continue; // Qt's own, made on the plugin's behalf (a thread's dispatcher, the pool)
        } else if (!object->parent() || !mine.contains(object->parent())) {
            // One entry per tree that outlives the plugin: its children go with it.
            leaks.append({u"leak.object"_s, describe(object), plugin, className(object),
                          object->objectName()});
        }
    }
    for (QObject *object : std::as_const(mine))
        g_objects.remove(object);
    g_tracked.store(g_objects.size(), std::memory_order_relaxed);
    return leaks;
}

} // namespace Mortar::Internal
