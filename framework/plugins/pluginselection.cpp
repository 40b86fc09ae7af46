// SPDX-FileCopyrightText: 2026 The Mortar developers
// SPDX-License-Identifier: MIT
#include "pluginselection_p.h"

#include <QSet>

#include <functional>
#include <set>

using namespace Qt::StringLiterals;

namespace Mortar::Internal {

namespace {

// "plugin 'a' depends on 'b', which depends on 'c'"
QString chain(const QStringList &path)
{
    QString text = u"plugin '%1' depends on '%2'"_s.arg(path.at(0), path.at(1));
    for (qsizetype i = 2; i < path.size(); ++i)
        text += u", which depends on '%1'"_s.arg(path.at(i));
    return text;
}

class Planner
{
public:
    Planner(const QList<PluginCandidate> &candidates, const PluginSelection &selection)
        : m_candidates(candidates),
          m_selection(selection)
    {
        for (const PluginCandidate &candidate : candidates)
            m_byName.insert(candidate.info.name, &candidate);
    }

    const PluginCandidate *find(const QString &name) const { return m_byName.value(name); }

    PluginPlan plan(const QString &searched)
    {
        PluginPlan plan;
        findMissing(plan, searched);
        findDisabled();
        findWanted();
        for (PluginPlan::Wanted &wanted : m_wanted) {
            const PluginInfo::State state = find(wanted.name)->info.state;
            if (state == PluginInfo::State::Loaded || state == PluginInfo::State::Failed)
                continue;
            wanted.problem = find(wanted.name)->problem;
            if (wanted.problem.isEmpty())
                wanted.problem = dependencyProblem(wanted.name);
        }
        QStringList loadable;
        for (const PluginPlan::Wanted &wanted : std::as_const(m_wanted)) {
            const PluginInfo::State state = find(wanted.name)->info.state;
            if (wanted.problem.isEmpty() && state != PluginInfo::State::Loaded
                && state != PluginInfo::State::Failed)
                loadable.append(wanted.name);
        }
        plan.loadOrder = loadOrder(loadable);
        for (const PluginCandidate &candidate : m_candidates) {
            if (candidate.info.state == PluginInfo::State::Discovered
                && !m_wantedIndex.contains(candidate.info.name))
                plan.unwanted.append(candidate.info.name);
        }
        plan.wanted = m_wanted;
        return plan;
    }

private:
    // Everything requested by name is checked before anything loads: a typo must not leave
    // the App with half of its plugins loaded.
    void findMissing(PluginPlan &plan, const QString &searched) const
    {
        for (const QString &name : m_selection.required) {
            if (m_selection.disabled.contains(name)) {
                plan.notFound.append({name,
                                      u"Unable to disable plugin '%1' (--no-plugin): the "
                                      u"application requires it"_s.arg(name)});
            }
        }
        QSet<QString> reported;
        for (const QString &name : m_selection.required + m_selection.enabled) {
            if (find(name) || m_selection.disabled.contains(name) || reported.contains(name))
                continue;
            reported.insert(name);
            plan.notFound.append(
                    {name,
                     u"Unable to load plugin '%1': no plugin of that name was found (searched: %2)"_s
                             .arg(name, searched)});
        }
        for (auto it = m_selection.config.cbegin(); it != m_selection.config.cend(); ++it) {
            if (it.value() && !find(it.key())) {
                plan.configNotFound.append(
                        u"Plugin '%1', enabled in %2, was not found (searched: %3)"_s.arg(
                                it.key(), m_selection.configSources.value(it.key()), searched));
            }
        }
    }

    // Who is disabled, and by what (for the messages).
    void findDisabled()
    {
        for (const QString &name : m_selection.disabled)
            m_disabledBy.insert(name, u"--no-plugin"_s);
        for (auto it = m_selection.config.cbegin(); it != m_selection.config.cend(); ++it) {
            if (!it.value() && !m_selection.required.contains(it.key())
                && !m_selection.enabled.contains(it.key()) && !m_disabledBy.contains(it.key())) {
                m_disabledBy.insert(
                        it.key(),
                        u"disabled in %1"_s.arg(m_selection.configSources.value(it.key())));
            }
        }
    }

    bool isDisabled(const QString &name) const { return m_disabledBy.contains(name); }

    // Who is wanted, and why. A name that comes twice is taken once.
    void want(const QString &name, const QString &why, bool required)
    {
        if (!find(name))
            return;
        if (const auto it = m_wantedIndex.constFind(name); it != m_wantedIndex.cend()) {
            m_wanted[*it].required = m_wanted[*it].required || required;
            return;
        }
        m_wantedIndex.insert(name, m_wanted.size());
        m_wanted.append({name, why, required});
    }

    void findWanted()
    {
        for (const QString &name : m_selection.required)
            want(name, u"AppOptions::plugins"_s, true);
        for (const QString &name : m_selection.enabled) {
            if (!isDisabled(name))
                want(name, u"--plugin"_s, true);
        }
        for (auto it = m_selection.config.cbegin(); it != m_selection.config.cend(); ++it) {
            if (it.value() && !isDisabled(it.key()))
                want(it.key(), m_selection.configSources.value(it.key()), false);
        }
        for (const PluginCandidate &candidate : m_candidates) {
            const QString &name = candidate.info.name;
            if (candidate.info.enabledByDefault && candidate.problem.isEmpty() && !isDisabled(name)
                && !m_selection.config.contains(name))
                want(name, u"enabledByDefault"_s, false);
        }
        // Dependencies come along, unless disabled (which dependencyProblem() reports).
        for (qsizetype i = 0; i < m_wanted.size(); ++i) {
            const QString name = m_wanted.at(i).name;
            for (const QString &dependency : find(name)->info.depends) {
                if (find(dependency) && !isDisabled(dependency))
                    want(dependency, u"dependency of '%1'"_s.arg(name), false);
            }
        }
    }

    QString dependencyProblem(const QString &name) const
    {
        // Depth first along `depends`, keeping the path so the message can show the whole chain.
        QStringList path;
        QSet<QString> fine;
        const std::function<QString(const QString &)> visit =
                [&](const QString &current) -> QString {
            path.append(current);
            for (const QString &dependency : find(current)->info.depends) {
                if (path.contains(dependency))
                    return chain(path + QStringList{dependency});
                const PluginCandidate *candidate = find(dependency);
                if (!candidate)
                    return chain(path + QStringList{dependency}) + u", which was not found"_s;
                if (isDisabled(dependency)) {
                    return chain(path + QStringList{dependency})
                            + u", which is disabled (%1)"_s.arg(m_disabledBy.value(dependency));
                }
                if (!candidate->problem.isEmpty()) {
                    return chain(path + QStringList{dependency})
                            + u", which cannot be loaded: %1"_s.arg(candidate->problem);
                }
                if (fine.contains(dependency))
                    continue;
                if (QString problem = visit(dependency); !problem.isEmpty())
                    return problem;
            }
            path.removeLast();
            fine.insert(current);
            return QString();
        };
        return visit(name);
    }

    QStringList loadOrder(const QStringList &names) const
    {
        // Kahn's algorithm; the ready set is ordered by name, which breaks ties by name.
        const QSet<QString> wanted(names.cbegin(), names.cend());
        QHash<QString, int> pending;
        QHash<QString, QStringList> dependents;
        for (const QString &name : names) {
            int count = 0;
            for (const QString &dependency : find(name)->info.depends) {
                if (wanted.contains(dependency)) {
                    ++count;
                    dependents[dependency].append(name);
                }
            }
            pending.insert(name, count);
        }
        std::set<QString> ready;
        for (const QString &name : names) {
            if (pending.value(name) == 0)
                ready.insert(name);
        }
        QStringList order;
        while (!ready.empty()) {
            const QString next = *ready.begin();
            ready.erase(ready.begin());
            order.append(next);
            for (const QString &dependent : dependents.value(next)) {
                if (--pending[dependent] == 0)
                    ready.insert(dependent);
            }
        }
        return order; // dependencyProblem() took out the cycles, so every name is here
    }

    const QList<PluginCandidate> &m_candidates;
    const PluginSelection &m_selection;
    QHash<QString, const PluginCandidate *> m_byName;
    QHash<QString, QString> m_disabledBy;
    QList<PluginPlan::Wanted> m_wanted;
    QHash<QString, qsizetype> m_wantedIndex;
};

} // namespace

PluginPlan planPlugins(const QList<PluginCandidate> &candidates, const PluginSelection &selection,
                       const QString &searched)
{
    return Planner(candidates, selection).plan(searched);
}

} // namespace Mortar::Internal
