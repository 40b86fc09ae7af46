// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <QFile>
#include <QString>
#include <QTemporaryDir>

/*! Real config files for a test, in a temporary directory removed with it. */
class ConfigFiles
{
public:
    /*! A new file holding \a contents. A new name each time: QSettings caches files by path. */
    QString write(const QByteArray &contents)
    {
        const QString path = m_dir.filePath(QStringLiteral("%1.conf").arg(++m_count));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        file.write(contents);
        return path;
    }
    /*! A path in the directory, for files a test makes (or expects to be missing). */
    QString filePath(const QString &name) const { return m_dir.filePath(name); }

private:
    QTemporaryDir m_dir;
    int m_count = 0;
};
