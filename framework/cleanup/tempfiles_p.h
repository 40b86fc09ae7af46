// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
// Internal to Mortar; not part of the API.
#pragma once

#include <mortar/tempfiles.h>

#include <QLoggingCategory>
#include <QMutex>

#include <memory>

namespace Mortar::Internal {

Q_DECLARE_LOGGING_CATEGORY(lcTempFiles)

class TempFilesPrivate
{
public:
    explicit TempFilesPrivate(const QString &label) : m_label(label) { }

    /*! A TempFiles whose default names start with \a label (the extension makes the App's). */
    static std::unique_ptr<TempFiles> create(const QString &label)
    {
        return std::unique_ptr<TempFiles>(new TempFiles(label));
    }

    /*! \a templateName made absolute: relative to the temporary directory, \c{<label>-XXXXXX}
        when empty. */
    QString absoluteTemplate(const QString &templateName) const;
    /*! Manages \a path from now on: remembered, and registered for emergency cleanup. */
    void add(const QString &path);
    /*! Forgets \a path (removed, or released), also for the emergency cleanup. */
    void forget(const QString &path);
    bool fail(const QString &why);
    /*! Removes a file, a symbolic link, or a directory with its contents; success if the path
        does not exist. */
    static Result removePath(const QString &path);

    const QString m_label;
    mutable QMutex m_mutex;
    QStringList m_paths;   // m_mutex
    QString m_errorString; // m_mutex
};

} // namespace Mortar::Internal
