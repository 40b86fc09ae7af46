// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "inspectionserver_p.h"
#include "inspectionworker_p.h"

#include <mortar/app.h>
#include <mortar/emergencycleanup.h>
#include <mortar/extension.h>

#include <QCborArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QMetaEnum>
#include <QRandomGenerator>
#include <QSaveFile>
#include <QStandardPaths>

#include <sys/stat.h>
#include <unistd.h>

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

Q_LOGGING_CATEGORY(lcInspect, "mortar.inspect", QtInfoMsg)

namespace {
template <typename Enum>
QString enumName(Enum value)
{
    return QString::fromLatin1(QMetaEnum::fromType<Enum>().valueToKey(int(value)));
}
} // namespace

InspectionServer::InspectionServer(App &app)
    : m_app(app),
      m_shared(std::make_shared<InspectionShared>(app))
{
    m_thread.setObjectName(u"mortar-inspect"_s);
    // The snapshot's plugins and extensions change only with these, in the App's thread.
    connect(&app.plugins(), &PluginManager::pluginLoaded, this,
            &InspectionServer::refreshInventory);
    connect(&app.plugins(), &PluginManager::pluginFailed, this,
            &InspectionServer::refreshInventory);
    connect(&app.plugins(), &PluginManager::pluginUnloaded, this,
            &InspectionServer::refreshInventory);
    connect(&app.extensions(), &ExtensionRegistry::extensionLoaded, this,
            &InspectionServer::refreshInventory);
    connect(&app.extensions(), &ExtensionRegistry::extensionFailed, this,
            &InspectionServer::refreshInventory);
    connect(&app, &App::stateChanged, this, &InspectionServer::refreshInventory);
}

InspectionServer::~InspectionServer()
{
    shutdown();
}

void InspectionServer::removeFiles()
{
    // Removed first, then unregistered: a forced end in between still finds them registered.
    for (QString *path : {&m_socketPath, &m_tokenPath}) {
        if (path->isEmpty() || !m_registered.contains(*path))
            continue;
        QFile::remove(*path);
        EmergencyCleanup::instance().remove(*path);
        m_registered.removeAll(*path);
    }
}

void InspectionServer::shutdown()
{
    // The files go before the final flush: connected inspectors keep their connection, and a
    // signal that ends the process during the (bounded) flush leaves nothing behind.
    removeFiles();
    if (m_worker) {
        // Inspectors get everything before the process ends (bounded; see flush()).
        flush(std::chrono::seconds(1));
        QMetaObject::invokeMethod(
                m_worker, [worker = m_worker] { worker->shutdown(); },
                Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
        m_worker = nullptr; // deleted by the thread's finished()
    }
}

Result InspectionServer::runtimeDirectory(QString *path)
{
    const QString base = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    if (base.isEmpty())
        return Result::failure(u"Unable to find the user's runtime directory"_s);
    *path = QDir(base).filePath(u"mortar"_s);
    const QByteArray native = QFile::encodeName(*path);
    if (::mkdir(native.constData(), 0700) != 0 && errno != EEXIST)
        return Result::failure(
                u"Unable to create %1: %2"_s.arg(*path, QString::fromLocal8Bit(strerror(errno))));
    struct stat status
    {
    };
    if (::lstat(native.constData(), &status) != 0 || !S_ISDIR(status.st_mode))
        return Result::failure(u"Unable to use %1: it is not a directory"_s.arg(*path));
    if (status.st_uid != getuid())
        return Result::failure(u"Refusing %1: it belongs to another user (uid %2)"_s.arg(*path).arg(
                status.st_uid));
    if ((status.st_mode & 0077) != 0)
        return Result::failure(
                u"Refusing %1: other users may enter it (mode %2); it must be 0700"_s.arg(
                        *path, QString::number(status.st_mode & 0777, 8)));
    return Result::success();
}

Result InspectionServer::listen(const QString &token)
{
    QString directory;
    if (const Result ok = runtimeDirectory(&directory); !ok)
        return ok;
    m_socketPath = QDir(directory).filePath(
            u"%1-%2"_s.arg(m_app.label()).arg(QCoreApplication::applicationPid()));

    if (token.isEmpty()) {
        QByteArray random(32, Qt::Uninitialized);
        QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()),
                                              random.size() / 4);
        m_shared->token = QString::fromLatin1(random.toHex());
        m_tokenPath = m_socketPath + u".token"_s;
        // Registered before it exists: a crash right after writing it still removes it.
        if (EmergencyCleanup::instance().add(m_tokenPath))
            m_registered.append(m_tokenPath);
        QSaveFile file(m_tokenPath);
        if (!file.open(QIODevice::WriteOnly)
            || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner)
            || file.write(m_shared->token.toLatin1()) < 0 || !file.commit()) {
            return Result::failure(u"Unable to write the inspection token %1: %2"_s.arg(
                    m_tokenPath, file.errorString()));
        }
    } else {
        m_shared->token = token;
    }
    refreshInventory();

    m_worker = new InspectionWorker(m_shared);
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &InspectionWorker::closeRequested, this, [this] {
        qCInfo(lcInspect, "An inspector asked the App to close");
        Q_EMIT closeRequested();
    });
    m_thread.start();
    // The socket goes on every end, forced ones included (spec §10.1).
    if (EmergencyCleanup::instance().add(m_socketPath))
        m_registered.append(m_socketPath);
    Result listening;
    QMetaObject::invokeMethod(
            m_worker, [&] { listening = m_worker->listen(m_socketPath); },
            Qt::BlockingQueuedConnection);
    if (!listening)
        return listening;
    qCInfo(lcInspect).noquote() << u"Inspection server listening on %1"_s.arg(m_socketPath);
    return Result::success();
}

QString InspectionServer::socketPath() const
{
    return m_socketPath;
}

QString InspectionServer::tokenPath() const
{
    return m_tokenPath;
}

QString InspectionServer::token() const
{
    return m_shared->token;
}

int InspectionServer::clientCount() const
{
    return m_shared->clients;
}

void InspectionServer::setMaxPendingBytes(qint64 bytes)
{
    m_shared->maxPendingBytes = bytes;
}

void InspectionServer::refreshInventory()
{
    QCborArray plugins;
    for (const PluginInfo &plugin : m_app.plugins().plugins()) {
        plugins.append(QCborMap{{u"name"_s, plugin.name},
                                {u"version"_s, plugin.version},
                                {u"description"_s, plugin.description},
                                {u"depends"_s, QCborArray::fromStringList(plugin.depends)},
                                {u"enabledByDefault"_s, plugin.enabledByDefault},
                                {u"fileName"_s, plugin.fileName},
                                {u"state"_s, enumName(plugin.state)},
                                {u"error"_s, plugin.errorString},
                                {u"enabledBy"_s, plugin.enabledBy}});
    }
    QCborArray extensions;
    for (const ExtensionRegistry::Extension &extension : m_app.extensions().extensions()) {
        extensions.append(QCborMap{{u"name"_s, extension.name},
                                   {u"state"_s, enumName(extension.state)},
                                   {u"error"_s, extension.error}});
    }
    QMutexLocker locker(&m_shared->mutex);
    m_shared->plugins = std::move(plugins);
    m_shared->extensions = std::move(extensions);
}

void InspectionServer::flush(std::chrono::milliseconds budget)
{
    if (!m_worker)
        return;
    QMetaObject::invokeMethod(
            m_worker, [worker = m_worker, budget] { worker->flush(budget); },
            Qt::BlockingQueuedConnection);
}

} // namespace Mortar::Internal
