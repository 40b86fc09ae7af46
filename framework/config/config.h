// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#pragma once

#include <mortar/mortar_export.h>
#include <mortar/result.h>

#include <QString>
#include <QStringList>
#include <QVariant>
#include <QVariantMap>

#include <memory>

namespace Mortar {

namespace Internal {
class ConfigPrivate;
}

/*!
    \brief The App's configuration (\c{app.config()}): INI files read in order, later wins, over
    defaults.

    Keys are QSettings keys, \c{"section/key"}; a key outside any section is just \c{"key"}.
    Values read from files are strings (or string lists for \c{a, b}), as QSettings reads them.
    Every value remembers where it came from (sourceOf()), so an error can name the file to fix.

    The files are read once, by load() and addFile(); later changes on disk are not seen. Not
    thread-safe for writing; reading from several threads after loading is fine.
*/
class MORTAR_EXPORT Config final
{
public:
    /*! What addFile() does when the file does not exist. */
    enum class IfMissing {
        Skip, //!< a standard location that may well not exist
        Fail, //!< a file the user named (\c{--config FILE}): its absence is an error
    };

    Config();
    ~Config();
    Config(const Config &) = delete;
    Config &operator=(const Config &) = delete;

    /*!
        Replaces the configuration: \a defaults (\c{"section/key"} → value) underneath, then
        each of \a files in order, later wins. Files that do not exist are skipped. Fails for a
        file that exists but cannot be read or is not valid INI, naming the file; the files
        before it stay loaded.
    */
    Result load(const QStringList &files, const QVariantMap &defaults = {});
    /*!
        The default AppOptions::configFiles for \a label, in reading order:
        \c{/etc/<label>/<label>.conf}, then \c{<user config>/<label>/<label>.conf}, where
        \c{<user config>} is QStandardPaths::GenericConfigLocation (usually \c ~/.config).
    */
    static QStringList standardFiles(const QString &label);

    /*! Reads one more file over what is loaded (for \c{--config FILE}). */
    Result addFile(const QString &file, IfMissing ifMissing = IfMissing::Skip);

    QVariant value(const QString &key, const QVariant &defaultValue = {}) const;
    bool contains(const QString &key) const;
    /*! The sections below \a group (top-level sections for an empty \a group), sorted. */
    QStringList childGroups(const QString &group = {}) const;
    /*! The keys directly in \a group (keys outside any section for an empty \a group), sorted. */
    QStringList childKeys(const QString &group = {}) const;
    /*! Every key, sorted. */
    QStringList allKeys() const;

    /*!
        Where the value of \a key comes from: the absolute path of the file that set it last,
        \c{AppOptions::configDefaults} for a default, empty if nothing sets it.
    */
    QString sourceOf(const QString &key) const;
    /*! The files read, in order (files that did not exist are not listed). */
    QStringList files() const;

private:
    std::unique_ptr<Internal::ConfigPrivate> const d;
};

} // namespace Mortar
