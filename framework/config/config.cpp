// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include <mortar/config.h>

#include <QFile>
#include <QFileInfo>
#include <QMap>
#include <QSettings>
#include <QStandardPaths>

using namespace Qt::StringLiterals;

namespace Mortar {

namespace Internal {

namespace {
// QSettings (6.4) reports FormatError only for a section header without its ']', and silently
// drops a line without '=' ("enabled false" would just be lost). So lines are checked here
// first, the way QSettings splits them: a line ending in '\\' or inside "quotes" continues
// on the next one. Returns the first problem, with its line number, or an empty string.
QString lineProblem(const QByteArray &contents)
{
    const QList<QByteArray> lines = contents.split('\n');
    QByteArray logical;
    qsizetype firstLine = 0;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        QByteArray line = lines.at(i);
        if (line.endsWith('\r'))
            line.chop(1);
        if (logical.isEmpty()) {
            const QByteArray trimmed = line.trimmed();
            if (trimmed.isEmpty() || trimmed.startsWith(';') || trimmed.startsWith('#'))
                continue; // a comment's quotes do not open a value
            firstLine = i + 1;
        }
        logical += line;
        if (logical.endsWith('\\') || logical.count('"') % 2 == 1) {
            logical += '\n';
            continue;
        }
        const QByteArray text = logical.trimmed();
        logical.clear();
        const QString shown = QString::fromUtf8(text.left(60));
        if (text.startsWith('[')) {
            if (!text.contains(']'))
                return u"line %1 (\"%2\"): the section header has no closing ']'"_s.arg(firstLine)
                        .arg(shown);
            continue;
        }
        const qsizetype equals = text.indexOf('=');
        if (equals < 0)
            return u"line %1 (\"%2\"): expected key=value"_s.arg(firstLine).arg(shown);
        if (text.left(equals).trimmed().isEmpty())
            return u"line %1 (\"%2\"): the key is empty"_s.arg(firstLine).arg(shown);
    }
    return {};
}
} // namespace

class ConfigPrivate
{
public:
    struct Entry
    {
        QVariant value;
        QString source;
    };

    Result readFile(const QString &file, Config::IfMissing ifMissing);

    QMap<QString, Entry> m_entries; // sorted, so childGroups() and allKeys() need no sort
    QStringList m_files;
};

Result ConfigPrivate::readFile(const QString &file, Config::IfMissing ifMissing)
{
    const QFileInfo info(file);
    const QString path = info.absoluteFilePath();
    if (!info.exists()) {
        if (ifMissing == Config::IfMissing::Skip)
            return Result::success();
        return Result::failure(
                u"Unable to read config file %1: the file does not exist"_s.arg(path));
    }
    // QSettings reports a directory or an unreadable file only as an empty, error-free
    // configuration or as AccessError, depending on the case; check first so the message
    // names the actual cause.
    if (info.isDir())
        return Result::failure(u"Unable to read config file %1: it is a directory"_s.arg(path));
    if (!info.isReadable())
        return Result::failure(u"Unable to read config file %1: permission denied"_s.arg(path));

    QFile contents(path);
    if (!contents.open(QIODevice::ReadOnly)) {
        return Result::failure(
                u"Unable to read config file %1: %2"_s.arg(path, contents.errorString()));
    }
    if (const QString problem = lineProblem(contents.readAll()); !problem.isEmpty()) {
        return Result::failure(
                u"Unable to read config file %1: it is not a valid INI file: %2"_s.arg(path,
                                                                                       problem));
    }

    const QSettings settings(path, QSettings::IniFormat);
    switch (settings.status()) {
    case QSettings::NoError: break;
    case QSettings::AccessError:
        return Result::failure(
                u"Unable to read config file %1: the file cannot be opened"_s.arg(path));
    case QSettings::FormatError:
        // lineProblem() catches what QSettings reports; this is for whatever else it may find.
        return Result::failure(
                u"Unable to read config file %1: it is not a valid INI file"_s.arg(path));
    }
    const QStringList keys = settings.allKeys();
    for (const QString &key : keys)
        m_entries.insert(key, {settings.value(key), path});
    m_files.append(path);
    return Result::success();
}

} // namespace Internal

Config::Config() : d(std::make_unique<Internal::ConfigPrivate>()) { }

Config::~Config() = default;

Result Config::load(const QStringList &files, const QVariantMap &defaults)
{
    d->m_entries.clear();
    d->m_files.clear();
    for (auto it = defaults.cbegin(); it != defaults.cend(); ++it)
        d->m_entries.insert(it.key(), {it.value(), u"AppOptions::configDefaults"_s});
    for (const QString &file : files) {
        if (const Result read = d->readFile(file, IfMissing::Skip); !read)
            return read;
    }
    return Result::success();
}

QStringList Config::standardFiles(const QString &label)
{
    const QString fileName = u"/%1/%1.conf"_s.arg(label);
    QStringList files{u"/etc"_s + fileName};
    const QString user = QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation);
    if (!user.isEmpty()) // no home directory: only the system-wide file
        files.append(user + fileName);
    return files;
}

Result Config::addFile(const QString &file, IfMissing ifMissing)
{
    return d->readFile(file, ifMissing);
}

QVariant Config::value(const QString &key, const QVariant &defaultValue) const
{
    const auto it = d->m_entries.constFind(key);
    return it == d->m_entries.cend() ? defaultValue : it->value;
}

bool Config::contains(const QString &key) const
{
    return d->m_entries.contains(key);
}

QStringList Config::childGroups(const QString &group) const
{
    const QString prefix = group.isEmpty() ? QString() : group + u'/';
    QStringList groups;
    for (auto it = d->m_entries.cbegin(); it != d->m_entries.cend(); ++it) {
        if (!it.key().startsWith(prefix))
            continue;
        const qsizetype slash = it.key().indexOf(u'/', prefix.size());
        if (slash < 0)
            continue;
        const QString child = it.key().sliced(prefix.size(), slash - prefix.size());
        if (groups.isEmpty() || groups.constLast() != child) // keys are sorted: children adjoin
            groups.append(child);
    }
    groups.removeDuplicates(); // "a/b" and "a.b/c" sort between "a/a" and "a/c"
    groups.sort();
    return groups;
}

QStringList Config::childKeys(const QString &group) const
{
    const QString prefix = group.isEmpty() ? QString() : group + u'/';
    QStringList keys;
    for (auto it = d->m_entries.cbegin(); it != d->m_entries.cend(); ++it) {
        if (it.key().startsWith(prefix) && it.key().indexOf(u'/', prefix.size()) < 0)
            keys.append(it.key().sliced(prefix.size()));
    }
    return keys;
}

QStringList Config::allKeys() const
{
    return d->m_entries.keys();
}

QString Config::sourceOf(const QString &key) const
{
    return d->m_entries.value(key).source;
}

QStringList Config::files() const
{
    return d->m_files;
}

} // namespace Mortar
