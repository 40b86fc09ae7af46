// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "pluginmetadata_p.h"

#include <mortar/plugin.h>

#include <QFileInfo>
#include <QJsonArray>

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

QString pluginNameFromFileName(const QString &path)
{
    // "libcache.so" → "cache", "cache.so.1" → "cache"
    QString name = QFileInfo(path).fileName().section(u'.', 0, 0);
    if (name.startsWith(u"lib"_s) && name.size() > 3)
        name.remove(0, 3);
    return name;
}

QString readPluginMetaData(const QJsonObject &raw, PluginInfo &info)
{
    if (raw.isEmpty())
        // Also what moc makes of a Q_PLUGIN_METADATA whose JSON file is invalid: it warns,
        // drops the declaration, and the build succeeds.
        return u"the file is not a Qt plugin (it has no plugin metadata: no Q_PLUGIN_METADATA, "
               u"or moc ignored it because its JSON file is invalid)"_s;
    const QJsonValue metaData = raw.value(u"MetaData"_s);
    const QJsonObject object = metaData.toObject();
    // The name first, even for a file that is not ours: the first file of a name wins.
    if (const QJsonValue name = object.value(u"name"_s);
        name.isString() && !name.toString().isEmpty())
        info.name = name.toString();

    const QString iid = raw.value(u"IID"_s).toString();
    if (iid != QLatin1StringView(MORTAR_PLUGIN_IID)) {
        return u"it is a Qt plugin for another interface ('%1'), not a Mortar plugin ('%2')"_s.arg(
                iid, QLatin1StringView(MORTAR_PLUGIN_IID));
    }
    if (!metaData.isObject()) {
        return u"it has no metadata (declare it with Q_PLUGIN_METADATA(IID MORTAR_PLUGIN_IID "
               u"FILE \"<name>.json\"))"_s;
    }
    const auto invalid = [](const QString &what) {
        return u"its metadata is invalid: %1"_s.arg(what);
    };
    if (object.contains(u"name"_s)
        && (!object.value(u"name"_s).isString() || object.value(u"name"_s).toString().isEmpty()))
        return invalid(u"\"name\" must be a non-empty string"_s);
    for (const QString &key : {u"version"_s, u"description"_s}) {
        if (object.contains(key) && !object.value(key).isString())
            return invalid(u"\"%1\" must be a string"_s.arg(key));
    }
    info.version = object.value(u"version"_s).toString();
    info.description = object.value(u"description"_s).toString();
    if (object.contains(u"depends"_s)) {
        const QJsonValue depends = object.value(u"depends"_s);
        if (!depends.isArray())
            return invalid(u"\"depends\" must be an array of plugin names"_s);
        const QJsonArray array = depends.toArray();
        for (const QJsonValue &dependency : array) {
            if (!dependency.isString() || dependency.toString().isEmpty())
                return invalid(u"\"depends\" must be an array of plugin names"_s);
            info.depends.append(dependency.toString());
        }
    }
    if (object.contains(u"enabledByDefault"_s)) {
        if (!object.value(u"enabledByDefault"_s).isBool())
            return invalid(u"\"enabledByDefault\" must be true or false"_s);
        info.enabledByDefault = object.value(u"enabledByDefault"_s).toBool();
    }
    return {};
}

QString pluginLoadErrorReason(const QString &errorString, const QString &fileName)
{
    QString detail = errorString;
    const QString prefix = u"Cannot load library %1: "_s.arg(fileName);
    if (detail.startsWith(prefix))
        detail = detail.sliced(prefix.size());
    if (detail.startsWith(u'(') && detail.endsWith(u')'))
        detail = detail.sliced(1, detail.size() - 2);
    if (detail.startsWith(fileName + u": "_s)) // dlerror() names the file again
        detail = detail.sliced(fileName.size() + 2);
    if (detail.contains(u"undefined symbol"_s))
        return u"a symbol it needs is missing (%1)"_s.arg(detail);
    if (detail.contains(u"cannot open shared object file"_s))
        return u"a library it needs cannot be found (%1)"_s.arg(detail);
    return u"the library cannot be loaded (%1)"_s.arg(detail);
}

} // namespace Mortar::Internal
