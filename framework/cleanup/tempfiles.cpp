// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/tempfiles.h>

#include "tempfiles_p.h"

#include <mortar/emergencycleanup.h>

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTemporaryFile>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {

Q_LOGGING_CATEGORY(lcTempFiles, "mortar.tempfiles", QtInfoMsg)

QString TempFilesPrivate::absoluteTemplate(const QString &templateName) const
{
    const QString name = templateName.isEmpty() ? m_label + u"-XXXXXX"_s : templateName;
    // QTemporaryFile and QTemporaryDir resolve a relative template against the current
    // directory; temporary files belong in the temporary directory.
    return QDir::isAbsolutePath(name) ? name : QDir(QDir::tempPath()).filePath(name);
}

void TempFilesPrivate::add(const QString &path)
{
    {
        QMutexLocker locker(&m_mutex);
        if (m_paths.contains(path))
            return;
        m_paths.append(path);
    }
    EmergencyCleanup::instance().add(path);
}

void TempFilesPrivate::forget(const QString &path)
{
    {
        QMutexLocker locker(&m_mutex);
        m_paths.removeOne(path);
    }
    EmergencyCleanup::instance().remove(path);
}

bool TempFilesPrivate::fail(const QString &why)
{
    QMutexLocker locker(&m_mutex);
    m_errorString = why;
    return false;
}

Result TempFilesPrivate::removePath(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists() && !info.isSymLink())
        return Result::success(); // gone already: what removing wanted
    if (info.isDir() && !info.isSymLink()) {
        // removeRecursively() does not follow symbolic links out of the directory.
        if (!QDir(path).removeRecursively())
            return Result::failure(
                    u"%1: could not remove the directory or part of its contents"_s.arg(path));
        return Result::success();
    }
    QFile file(path);
    if (!file.remove())
        return Result::failure(u"%1: %2"_s.arg(path, file.errorString()));
    return Result::success();
}

} // namespace Internal

TempFiles::TempFiles(const QString &label) : d(std::make_unique<Internal::TempFilesPrivate>(label))
{
}

TempFiles::~TempFiles()
{
    // Only paths added after the close removed the others (or by a close that never ran its
    // post_close) are left here; the App is going away, so are they.
    const QStringList left = paths();
    if (left.isEmpty())
        return;
    qCWarning(Internal::lcTempFiles).noquote()
            << u"Removing %1 temporary path(s) added after the close: %2"_s.arg(left.size())
                       .arg(left.join(u", "_s));
    if (const Result removed = removeAll(); !removed)
        qCWarning(Internal::lcTempFiles).noquote() << removed.errorString();
}

QString TempFiles::createFile(const QString &templateName)
{
    QTemporaryFile file(d->absoluteTemplate(templateName));
    // The file must outlive this QTemporaryFile: the close removes it, not its destructor.
    file.setAutoRemove(false);
    if (!file.open()) {
        d->fail(u"Unable to create a temporary file from the template %1: %2"_s.arg(
                file.fileTemplate(), file.errorString()));
        return {};
    }
    const QString path = QFileInfo(file.fileName()).absoluteFilePath();
    file.close(); // nothing is kept open: an app with many temporary files runs out of none
    d->add(path);
    return path;
}

QString TempFiles::createDir(const QString &templateName)
{
    QTemporaryDir dir(d->absoluteTemplate(templateName));
    dir.setAutoRemove(false);
    if (!dir.isValid()) {
        d->fail(u"Unable to create a temporary directory from the template %1: %2"_s.arg(
                d->absoluteTemplate(templateName), dir.errorString()));
        return {};
    }
    const QString path = QFileInfo(dir.path()).absoluteFilePath();
    d->add(path);
    return path;
}

bool TempFiles::adopt(const QString &path)
{
    if (path.isEmpty())
        return d->fail(u"Unable to adopt a temporary path: the path is empty"_s);
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    // Removal is recursive: refuse the directories whose removal can only be a mistake.
    const QStringList forbidden = {u"/"_s, QDir::cleanPath(QDir::homePath()),
                                   QDir::cleanPath(QDir::tempPath()),
                                   QDir::cleanPath(QDir::rootPath())};
    const QString canonical = QFileInfo(absolute).canonicalFilePath();
    for (const QString &dir : forbidden) {
        // Canonical paths (symbolic links resolved) are empty for paths that do not exist.
        const QString canonicalDir = QFileInfo(dir).canonicalFilePath();
        if (absolute == dir || (!canonical.isEmpty() && canonical == canonicalDir)) {
            return d->fail(u"Unable to adopt %1 as a temporary path: removing it at close "
                           u"would remove %2"_s.arg(path, dir));
        }
    }
    d->add(absolute);
    return true;
}

bool TempFiles::remove(const QString &path)
{
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (!paths().contains(absolute))
        return d->fail(u"Unable to remove %1: it is not a temporary path of this App"_s.arg(path));
    if (const Result removed = Internal::TempFilesPrivate::removePath(absolute); !removed)
        return d->fail(u"Unable to remove the temporary path %1"_s.arg(removed.errorString()));
    d->forget(absolute);
    return true;
}

bool TempFiles::release(const QString &path)
{
    const QString absolute = QDir::cleanPath(QFileInfo(path).absoluteFilePath());
    if (!paths().contains(absolute))
        return d->fail(u"Unable to release %1: it is not a temporary path of this App"_s.arg(path));
    d->forget(absolute);
    return true;
}

QStringList TempFiles::paths() const
{
    QMutexLocker locker(&d->m_mutex);
    return d->m_paths;
}

Result TempFiles::removeAll()
{
    const QStringList all = paths();
    QStringList errors;
    // The last added first: a file created inside a created directory goes before it.
    for (auto it = all.crbegin(); it != all.crend(); ++it) {
        if (const Result removed = Internal::TempFilesPrivate::removePath(*it); !removed) {
            errors.append(removed.errorString()); // stays managed, and registered for emergencies
            continue;
        }
        d->forget(*it);
    }
    if (errors.isEmpty())
        return Result::success();
    const QString error = u"Unable to remove %1 temporary path(s): %2"_s.arg(errors.size())
                                  .arg(errors.join(u"; "_s));
    d->fail(error);
    return Result::failure(error);
}

QString TempFiles::errorString() const
{
    QMutexLocker locker(&d->m_mutex);
    return d->m_errorString;
}

} // namespace Mortar
