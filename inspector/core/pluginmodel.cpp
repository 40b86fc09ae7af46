// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "pluginmodel.h"

#include "statuscolors.h"

#include <QCborArray>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

PluginModel::PluginModel(QObject *parent) : QAbstractTableModel(parent) { }

int PluginModel::rowOf(const QString &name) const
{
    for (int row = 0; row < m_plugins.size(); ++row) {
        if (m_plugins.at(row).name == name)
            return row;
    }
    return -1;
}

PluginModel::Plugin &PluginModel::plugin(const QString &name)
{
    if (const int row = rowOf(name); row >= 0)
        return m_plugins[row];
    const int row = int(m_plugins.size());
    beginInsertRows({}, row, row);
    Plugin added;
    added.name = name;
    m_plugins.append(added);
    endInsertRows();
    return m_plugins.last();
}

void PluginModel::changed(const Plugin &plugin)
{
    const int row = int(&plugin - m_plugins.data());
    Q_EMIT dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void PluginModel::setSnapshot(const QCborMap &snapshot)
{
    // Merged by name, not reset: events that arrived first keep their rows, and the snapshot,
    // taken when the inspector connected, is newer than a trace file's events.
    for (const QCborValue &value : snapshot.value(u"plugins"_s).toArray()) {
        const QCborMap entry = value.toMap();
        Plugin &row = plugin(entry.value(u"name"_s).toString());
        row.version = entry.value(u"version"_s).toString();
        row.description = entry.value(u"description"_s).toString();
        row.depends.clear();
        for (const QCborValue &name : entry.value(u"depends"_s).toArray())
            row.depends.append(name.toString());
        row.state = entry.value(u"state"_s).toString();
        row.enabledBy = entry.value(u"enabledBy"_s).toString();
        row.fileName = entry.value(u"fileName"_s).toString();
        row.error = entry.value(u"error"_s).toString();
        changed(row);
    }
}

void PluginModel::appendEvents(const QList<TraceEvent> &events)
{
    for (const TraceEvent &event : events) {
        if (!event.kind.startsWith(u"plugin."_s))
            continue;
        const QString name = event.extra.value(u"name"_s).toString();
        if (name.isEmpty())
            continue;
        Plugin &row = plugin(name);
        if (const QString file = event.extra.value(u"file"_s).toString(); !file.isEmpty())
            row.fileName = file;
        if (event.kind == u"plugin.loaded"_s) {
            row.state = u"Loaded"_s;
            row.version = event.extra.value(u"version"_s).toString();
            row.enabledBy = event.extra.value(u"enabledBy"_s).toString();
            row.error.clear();
        } else if (event.kind == u"plugin.failed"_s) {
            row.state = u"Failed"_s;
            row.error = event.error;
        } else if (event.kind == u"plugin.unloaded"_s) {
            row.state = u"Unloaded"_s;
            row.error = event.error; // its unload() threw
        } else if (event.kind == u"plugin.disabled"_s) {
            row.state = u"Disabled"_s;
            row.version = event.extra.value(u"version"_s).toString();
        }
        changed(row);
    }
}

void PluginModel::clear()
{
    beginResetModel();
    m_plugins.clear();
    endResetModel();
}

int PluginModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_plugins.size());
}

int PluginModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PluginModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Plugin &plugin = m_plugins.at(index.row());
    if (role == Qt::DisplayRole) {
        switch (index.column()) {
        case Name: return plugin.name;
        case Version: return plugin.version;
        case State: return plugin.state;
        case EnabledBy: return plugin.enabledBy;
        case File: return plugin.fileName;
        case Error: return plugin.error;
        }
    } else if (role == Qt::DecorationRole && index.column() == State) {
        return pluginStateColor(plugin.state, !plugin.error.isEmpty());
    } else if (role == Qt::ToolTipRole) {
        switch (index.column()) {
        case Name: {
            QString tip = plugin.description.isEmpty() ? plugin.name : plugin.description;
            if (!plugin.depends.isEmpty())
                tip += u"\ndepends on: %1"_s.arg(plugin.depends.join(u", "_s));
            return tip;
        }
        case File: return plugin.fileName;
        case Error: return plugin.error;
        }
    }
    return {};
}

QVariant PluginModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case Name: return u"plugin"_s;
    case Version: return u"version"_s;
    case State: return u"state"_s;
    case EnabledBy: return u"enabled by"_s;
    case File: return u"file"_s;
    case Error: return u"error"_s;
    }
    return {};
}

} // namespace Mortar::Inspector
