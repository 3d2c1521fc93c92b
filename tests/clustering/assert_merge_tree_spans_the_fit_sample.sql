-- The persisted ward tree is complete for its leaves: n - 1 merges for n
-- leaves, each merge joins existing nodes (id < n + step - 1), and the last
-- merge holds every leaf - so a dendrogram can be drawn from the tables alone.
with

merge_tree as (

    select * from {{ ref('fct_agglomerative_merge_tree') }}

),

tree_leaves as (

    select * from {{ ref('dim_agglomerative_tree_leaves') }}

),

leaf_counts as (

    select count(*) as leaf_count
    from tree_leaves

),

tree_summary as (

    select
        leaf_counts.leaf_count,
        count(*) as merge_count,
        max(merge_tree.cluster_size) as largest_cluster,
        sum(
            case
                when
                    merge_tree.left_node_id
                    >= leaf_counts.leaf_count + merge_tree.merge_step - 1
                    or merge_tree.right_node_id
                    >= leaf_counts.leaf_count + merge_tree.merge_step - 1
                    then 1
                else 0
            end
        ) as merges_of_future_nodes

    from merge_tree
    cross join leaf_counts
    group by leaf_counts.leaf_count

)

select *
from tree_summary
where
    merge_count != leaf_count - 1
    or largest_cluster != leaf_count
    or merges_of_future_nodes > 0
