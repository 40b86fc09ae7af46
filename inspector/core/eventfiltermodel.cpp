// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "eventfiltermodel.h"

#include "eventtablemodel.h"

#include <mortar/tracespans.h>

#include <QSet>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>

using namespace Qt::StringLiterals;

namespace Mortar::Inspector {

namespace {

bool matches(const TraceEvent &event, const QString &text)
{
    const auto has = [&](const QString &field) {
        return field.contains(text, Qt::CaseInsensitive);
    };
    if (has(event.kind) || has(event.hook) || has(event.handler) || has(event.status)
        || has(event.error) || has(event.message) || has(event.owner) || has(event.source))
        return true;
    for (const auto *key : {"name", "state", "cause", "signal", "level", "why"}) {
        if (has(event.extra.value(QLatin1StringView(key)).toString()))
            return true;
    }
    return false;
}

// The rows of \a events from \a first on that match \a text. Runs in a worker thread: it reads
// only its own (implicitly shared, so not copied) list of the events.
QList<int> matchingRows(const QList<TraceEvent> &events, const QString &text, int first)
{
    QList<int> rows;
    const QString trimmed = text.trimmed();
    if (trimmed.compare(u"problems"_s, Qt::CaseInsensitive) == 0) {
        // Failed, timed out, and handlers that began and never finished.
        QSet<qint64> unfinished;
        for (const TraceSpan &span : traceSpans(events)) {
            if (!span.finished)
                unfinished.insert(span.beginSeq);
        }
        for (int i = first; i < events.size(); ++i) {
            const TraceEvent &event = events.at(i);
            if (event.status == u"failed"_s || event.status == u"timedOut"_s
                || (event.kind == u"handler.begin"_s && unfinished.contains(event.seq))
                || event.kind.startsWith(u"process."_s))
                rows.append(i);
        }
        return rows;
    }
    for (int i = first; i < events.size(); ++i) {
        if (matches(events.at(i), trimmed))
            rows.append(i);
    }
    return rows;
}

} // namespace

EventFilterModel::EventFilterModel(QObject *parent) : QAbstractProxyModel(parent)
{
    m_debounce.setSingleShot(true);
    m_debounce.setInterval(150);
    connect(&m_debounce, &QTimer::timeout, this, &EventFilterModel::start);
    connect(&m_watcher, &QFutureWatcher<QList<int>>::finished, this, [this] {
        if (m_watcher.future().isCanceled())
            return;
        const QList<int> rows = m_watcher.result();
        if (m_watcher.property("generation").toULongLong() != m_generation)
            return; // typed on meanwhile: a newer filter is on its way
        beginResetModel();
        m_text = m_requested;
        m_identity = m_text.trimmed().isEmpty();
        m_rows = m_identity ? QList<int>() : rows;
        m_identityRows = m_source ? m_source->rowCount() : 0;
        endResetModel();
        if (!m_pending)
            Q_EMIT filterApplied();
    });
}

EventFilterModel::~EventFilterModel()
{
    m_watcher.waitForFinished();
}

void EventFilterModel::setSourceModel(QAbstractItemModel *source)
{
    beginResetModel();
    if (m_source)
        disconnect(m_source, nullptr, this, nullptr);
    m_source = qobject_cast<EventTableModel *>(source);
    QAbstractProxyModel::setSourceModel(m_source);
    if (m_source) {
        connect(m_source, &QAbstractItemModel::rowsInserted, this,
                &EventFilterModel::sourceRowsInserted);
        connect(m_source, &QAbstractItemModel::modelReset, this, &EventFilterModel::sourceReset);
        connect(m_source, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                    const QModelIndex first = mapFromSource(topLeft);
                    const QModelIndex last = mapFromSource(bottomRight);
                    if (first.isValid() && last.isValid())
                        Q_EMIT dataChanged(first, last);
                });
        connect(m_source, &QAbstractItemModel::headerDataChanged, this,
                &QAbstractItemModel::headerDataChanged);
    }
    m_rows.clear();
    m_identity = true;
    m_identityRows = m_source ? m_source->rowCount() : 0;
    m_text.clear();
    endResetModel();
}

void EventFilterModel::setFilterText(const QString &text)
{
    m_requested = text;
    m_pending = true;
    ++m_generation;
    m_debounce.start();
}

void EventFilterModel::applyFilterNow(const QString &text)
{
    m_debounce.stop();
    m_pending = false;
    ++m_generation;
    m_requested = text;
    beginResetModel();
    m_text = text;
    m_identity = text.trimmed().isEmpty();
    m_rows = m_identity || !m_source ? QList<int>() : matchingRows(m_source->events(), text, 0);
    m_identityRows = m_source ? m_source->rowCount() : 0;
    endResetModel();
    Q_EMIT filterApplied();
}

void EventFilterModel::start()
{
    m_pending = false;
    if (!m_source)
        return;
    const quint64 generation = m_generation;
    m_watcher.setProperty("generation", QVariant::fromValue(generation));
    const QString text = m_requested;
    if (text.trimmed().isEmpty()) {
        m_watcher.setFuture(QtConcurrent::run([] { return QList<int>(); }));
        return;
    }
    m_watcher.setFuture(QtConcurrent::run(&matchingRows, m_source->events(), text, 0));
}

void EventFilterModel::sourceRowsInserted(const QModelIndex &parent, int first, int last)
{
    if (parent.isValid())
        return;
    if (m_identity) {
        beginInsertRows({}, m_identityRows, m_identityRows + (last - first));
        m_identityRows = m_source->rowCount();
        endInsertRows();
        return;
    }
    // Live: the new events that match join the end.
    QList<int> added = matchingRows(m_source->events(), m_text, first);
    added.erase(std::remove_if(added.begin(), added.end(), [last](int row) { return row > last; }),
                added.end());
    if (added.isEmpty())
        return;
    beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added.size()) - 1);
    m_rows.append(added);
    endInsertRows();
}

void EventFilterModel::sourceReset()
{
    beginResetModel();
    m_rows = m_identity || !m_source ? QList<int>() : matchingRows(m_source->events(), m_text, 0);
    m_identityRows = m_source ? m_source->rowCount() : 0;
    endResetModel();
}

QModelIndex EventFilterModel::mapToSource(const QModelIndex &proxy) const
{
    if (!m_source || !proxy.isValid())
        return {};
    const int row = m_identity ? (proxy.row() < m_identityRows ? proxy.row() : -1)
                               : m_rows.value(proxy.row(), -1);
    return row < 0 ? QModelIndex() : m_source->index(row, proxy.column());
}

QModelIndex EventFilterModel::mapFromSource(const QModelIndex &source) const
{
    if (!m_source || !source.isValid())
        return {};
    if (m_identity)
        return source.row() < m_identityRows ? index(source.row(), source.column()) : QModelIndex();
    const auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), source.row());
    if (it == m_rows.cend() || *it != source.row())
        return {};
    return index(int(it - m_rows.cbegin()), source.column());
}

QModelIndex EventFilterModel::index(int row, int column, const QModelIndex &parent) const
{
    if (parent.isValid() || row < 0 || column < 0 || row >= rowCount() || column >= columnCount())
        return {};
    return createIndex(row, column);
}

QModelIndex EventFilterModel::parent(const QModelIndex &) const
{
    return {};
}

int EventFilterModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid() || !m_source)
        return 0;
    return m_identity ? m_identityRows : int(m_rows.size());
}

int EventFilterModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() || !m_source ? 0 : m_source->columnCount();
}

} // namespace Mortar::Inspector
