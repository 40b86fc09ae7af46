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
    // Rows are found by name: only plugins' own handlers are looked up, not every handler.
    const auto pluginRow = [this](const QString &owner) {
        return owner.isEmpty() ? -1 : rowOf(owner);
    };
    for (const TraceEvent &event : events) {
        if (event.kind == u"handler.begin"_s) {
            if (const int row = pluginRow(event.owner); row >= 0) {
                Plugin &owner = m_plugins[row];
                ++owner.handlersRun;
                ++owner.running;
                m_openOwner.insert(event.hook + u'\n' + event.handler, owner.name);
                changed(owner);
            }
            continue;
        }
        if (event.kind == u"handler.end"_s || event.kind == u"deferral.end"_s) {
            const QString key = event.hook + u'\n' + event.handler;
            const auto open = m_openOwner.constFind(key);
            if (open == m_openOwner.cend())
                continue;
            const int row = rowOf(*open);
            if (event.extra.value(u"deferred"_s).toBool())
                continue; // still running: its deferral.end comes
            m_openOwner.erase(open);
            if (row < 0)
                continue;
            Plugin &owner = m_plugins[row];
            --owner.running;
            owner.failed += event.status == u"failed"_s ? 1 : 0;
            owner.timedOut += event.status == u"timedOut"_s ? 1 : 0;
            changed(owner);
            continue;
        }
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
            row.loadNs = event.durationNs;
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

void PluginModel::markUnfinished()
{
    m_complete = true;
    for (const Plugin &plugin : std::as_const(m_plugins)) {
        if (plugin.running > 0)
            changed(plugin);
    }
}

void PluginModel::clear()
{
    beginResetModel();
    m_plugins.clear();
    m_openOwner.clear();
    m_complete = false;
    endResetModel();
}

QString PluginModel::handlersStatus(const Plugin &plugin) const
{
    if (plugin.handlersRun == 0)
        return {};
    // The worst first: a plugin whose handler failed or hung is not simply "Loaded".
    if (plugin.failed)
        return u"failed"_s;
    if (plugin.timedOut)
        return u"timedOut"_s;
    if (plugin.running)
        return m_complete ? u"did not finish"_s : u"running"_s;
    return u"ok"_s;
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
        case Handlers: {
            const QString status = handlersStatus(plugin);
            if (status.isEmpty())
                return QString();
            QStringList counts{u"%1 ran"_s.arg(plugin.handlersRun)};
            if (plugin.failed)
                counts << u"%1 failed"_s.arg(plugin.failed);
            if (plugin.timedOut)
                counts << u"%1 timed out"_s.arg(plugin.timedOut);
            if (plugin.running)
                counts << (m_complete ? u"%1 did not finish"_s : u"%1 running"_s)
                                  .arg(plugin.running);
            return u"%1 (%2)"_s.arg(status == u"timedOut"_s ? u"timed out"_s : status,
                                    counts.join(u", "_s));
        }
        case LoadTime:
            return plugin.loadNs
                    ? QVariant(QString::number(double(*plugin.loadNs) / 1e6, 'f', 3) + u" ms"_s)
                    : QVariant();
        case Description: return plugin.description;
        case Depends: return plugin.depends.join(u", "_s);
        case EnabledBy: return plugin.enabledBy;
        case File: return plugin.fileName;
        case Error: return plugin.error;
        }
    } else if (role == Qt::DecorationRole && index.column() == State) {
        // Loaded, but a handler of it failed or hung: its colour says so.
        const QString worst = handlersStatus(plugin);
        if (plugin.state == u"Loaded"_s && !worst.isEmpty() && worst != u"ok"_s
            && worst != u"running"_s)
            return statusColor(worst);
        return pluginStateColor(plugin.state, !plugin.error.isEmpty());
    } else if (role == Qt::DecorationRole && index.column() == Handlers) {
        const QString worst = handlersStatus(plugin);
        return worst.isEmpty() ? QVariant() : QVariant(statusColor(worst));
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
    case Handlers: return u"its handlers"_s;
    case LoadTime: return u"load time"_s;
    case Description: return u"description"_s;
    case Depends: return u"depends on"_s;
    case EnabledBy: return u"enabled by"_s;
    case File: return u"file"_s;
    case Error: return u"error"_s;
    }
    return {};
}

} // namespace Mortar::Inspector
